// musiclab::report — one self-contained HTML file per analysis: headings, paragraphs, metric
// tables and interactive charts (bar, line, rotatable 3-D scatter) drawn by plotly.js, which is
// inlined into the file so that the report opens offline, with no network at view time.
//
//   report::HtmlReport r("Popularity model");
//   r.section("Models").table(t).bars(importance);
//   r.write("out/report.html");            // plotly.js from report::find_plotly_js()
//
// plotly.js is not bundled with musiclab: find_plotly_js() looks at $MUSICLAB_PLOTLY_JS, the path
// the build configured (MUSICLAB_PLOTLY_JS_DEFAULT), then the Debian package python3-plotly
// (/usr/share/python3-plotly/plotly.js) and an npm install of plotly.js-dist-min. Without it the
// report is still written, with tables and text, and each chart replaced by a notice.
//
// Text is HTML-escaped; figure data is JSON (invalid UTF-8 replaced by U+FFFD) with "<" as \u003c,
// so no input can break out of the page. Building a report is O(total data); a report object is
// not thread-safe, distinct objects are independent. The page sets data-figures (number of charts)
// and, once plotly has drawn them all, data-rendered on <body> (what tests/report/check_report.py
// waits for).
#pragma once

#include "../core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace musiclab::report {

/// One table cell: text, an integer count, or a real number (printed with Table::digits decimals).
using Cell = std::variant<std::string, long long, double>;

/// A table of results. Every row must have columns.size() cells.
struct Table {
    std::string caption;
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;
    int digits = 4;  ///< decimals of real-valued cells
};

/// Bars: one series per entry of `series` (values[s][i] = bar of label i in series s).
struct Bars {
    std::string title;
    std::string value_title;  ///< axis title of the values
    std::vector<std::string> labels;
    std::vector<std::string> series;           ///< names; may be empty for a single unnamed series
    std::vector<std::vector<double>> values;   ///< [series][label]
    bool horizontal = true;                    ///< horizontal bars, first label on top
};

/// Lines over a shared x axis: y[s][i] at x[i] for each series s.
struct Lines {
    std::string title;
    std::string x_title, y_title;
    std::vector<double> x;
    std::vector<std::string> series;
    std::vector<std::vector<double>> y;  ///< [series][point]
};

/// A rotatable 3-D point cloud. Each colouring assigns every point a group label; the chart
/// shows one colouring at a time with buttons to switch (e.g. "cluster", "genre"). Groups past
/// the `max_groups` largest are drawn together as "other"; groups named "other" or "noise" are grey.
struct Scatter3d {
    std::string title;
    std::span<const double> x, y, z;
    std::vector<std::pair<std::string, std::vector<std::string>>> colourings;  ///< (name, label per point)
    std::vector<std::string> hover;  ///< text per point (optional: empty = none)
    std::size_t max_groups = 40;
    double marker_size = 2.0;
};

/// Where plotly.js is on this machine (see the file comment), or nullopt.
inline std::optional<std::filesystem::path> find_plotly_js() {
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("MUSICLAB_PLOTLY_JS"); env && *env) candidates.emplace_back(env);
#ifdef MUSICLAB_PLOTLY_JS_DEFAULT
    candidates.emplace_back(MUSICLAB_PLOTLY_JS_DEFAULT);
#endif
    candidates.emplace_back("/usr/share/python3-plotly/plotly.js");
    candidates.emplace_back("/usr/share/javascript/plotly/plotly.min.js");
    candidates.emplace_back("node_modules/plotly.js-dist-min/plotly.min.js");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && std::filesystem::is_regular_file(c, ec)) return c;
    }
    return std::nullopt;
}

/// Text with & < > " ' replaced by HTML entities.
inline std::string escape_html(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

/// A self-contained HTML report (see the file comment).
class HtmlReport {
public:
    explicit HtmlReport(std::string title, std::string subtitle = {})
        : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

    /// A new section with a heading.
    HtmlReport& section(std::string_view heading) {
        body_ += "<h2>" + escape_html(heading) + "</h2>\n";
        return *this;
    }
    /// A paragraph of plain text (escaped).
    HtmlReport& text(std::string_view paragraph) {
        body_ += "<p>" + escape_html(paragraph) + "</p>\n";
        return *this;
    }
    /// A preformatted block (commands, file names; escaped).
    HtmlReport& code(std::string_view block) {
        body_ += "<pre>" + escape_html(block) + "</pre>\n";
        return *this;
    }

    /// A table. Throws shape_mismatch when a row's width differs from the header's.
    HtmlReport& table(const Table& t) {
        std::string h = "<table>\n";
        if (!t.caption.empty()) h += "<caption>" + escape_html(t.caption) + "</caption>\n";
        h += "<thead><tr>";
        for (const auto& c : t.columns) h += "<th>" + escape_html(c) + "</th>";
        h += "</tr></thead>\n<tbody>\n";
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            if (t.rows[r].size() != t.columns.size())
                throw shape_mismatch("report table '" + t.caption + "' row " + std::to_string(r) + " cells vs columns",
                                     t.columns.size(), t.rows[r].size());
            h += "<tr>";
            for (const auto& cell : t.rows[r]) {
                if (const auto* s = std::get_if<std::string>(&cell)) {
                    h += "<td>" + escape_html(*s) + "</td>";
                } else if (const auto* i = std::get_if<long long>(&cell)) {
                    h += "<td class=\"num\">" + std::to_string(*i) + "</td>";
                } else {
                    const double v = std::get<double>(cell);
                    char buf[64];
                    if (std::isfinite(v)) std::snprintf(buf, sizeof buf, "%.*f", std::clamp(t.digits, 0, 17), v);
                    else std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf"));
                    h += "<td class=\"num\">" + std::string(buf) + "</td>";
                }
            }
            h += "</tr>\n";
        }
        body_ += h + "</tbody></table>\n";
        return *this;
    }

    /// A bar chart. Throws shape_mismatch when a series' length differs from labels.size().
    HtmlReport& bars(const Bars& b) {
        nlohmann::json data = nlohmann::json::array();
        for (std::size_t s = 0; s < b.values.size(); ++s) {
            if (b.values[s].size() != b.labels.size())
                throw shape_mismatch("report bars '" + b.title + "' series " + std::to_string(s) + " values vs labels",
                                     b.labels.size(), b.values[s].size());
            nlohmann::json trace = {{"type", "bar"}, {"orientation", b.horizontal ? "h" : "v"}};
            trace[b.horizontal ? "y" : "x"] = b.labels;
            trace[b.horizontal ? "x" : "y"] = finite(b.values[s]);
            if (s < b.series.size()) trace["name"] = b.series[s];
            data.push_back(std::move(trace));
        }
        nlohmann::json layout = base_layout(b.title);
        layout["barmode"] = "group";
        nlohmann::json value_axis = {{"title", {{"text", b.value_title}}}};
        nlohmann::json label_axis = {{"automargin", true}};
        if (b.horizontal) label_axis["autorange"] = "reversed";
        layout[b.horizontal ? "xaxis" : "yaxis"] = value_axis;
        layout[b.horizontal ? "yaxis" : "xaxis"] = label_axis;
        const double rows = static_cast<double>(b.labels.size() * std::max<std::size_t>(b.values.size(), 1));
        layout["height"] = b.horizontal ? std::clamp(120.0 + 14.0 * rows, 260.0, 3200.0) : 420.0;
        return figure(std::move(data), std::move(layout));
    }

    /// A line chart. Throws shape_mismatch when a series' length differs from x.size().
    HtmlReport& lines(const Lines& l) {
        nlohmann::json data = nlohmann::json::array();
        for (std::size_t s = 0; s < l.y.size(); ++s) {
            if (l.y[s].size() != l.x.size())
                throw shape_mismatch("report lines '" + l.title + "' series " + std::to_string(s) + " points vs x", l.x.size(), l.y[s].size());
            nlohmann::json trace = {{"type", "scatter"}, {"mode", "lines+markers"}, {"x", finite(l.x)}, {"y", finite(l.y[s])}};
            if (s < l.series.size()) trace["name"] = l.series[s];
            data.push_back(std::move(trace));
        }
        nlohmann::json layout = base_layout(l.title);
        layout["xaxis"] = {{"title", {{"text", l.x_title}}}};
        layout["yaxis"] = {{"title", {{"text", l.y_title}}}};
        return figure(std::move(data), std::move(layout));
    }

    /// A rotatable 3-D scatter with one button per colouring. Throws shape_mismatch when the
    /// coordinate, label or hover lengths differ.
    HtmlReport& scatter3d(const Scatter3d& s) {
        const std::size_t n = s.x.size();
        if (s.y.size() != n || s.z.size() != n) throw shape_mismatch("report scatter3d '" + s.title + "' y/z vs x", n, s.y.size() != n ? s.y.size() : s.z.size());
        if (!s.hover.empty() && s.hover.size() != n) throw shape_mismatch("report scatter3d '" + s.title + "' hover vs points", n, s.hover.size());
        std::vector<std::pair<std::string, std::vector<std::string>>> colourings = s.colourings;
        if (colourings.empty()) colourings.emplace_back("all", std::vector<std::string>(n, "points"));
        nlohmann::json data = nlohmann::json::array();
        std::vector<std::pair<std::size_t, std::size_t>> trace_ranges;  // per colouring: [first, last) trace
        for (std::size_t c = 0; c < colourings.size(); ++c) {
            const auto& labels = colourings[c].second;
            if (labels.size() != n) throw shape_mismatch("report scatter3d '" + s.title + "' labels of '" + colourings[c].first + "' vs points", n, labels.size());
            // groups by size (largest first, then by name); past max_groups: "other"
            std::map<std::string, std::size_t> sizes;
            for (const auto& g : labels) ++sizes[g];
            std::vector<std::pair<std::string, std::size_t>> order(sizes.begin(), sizes.end());
            std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            std::map<std::string, std::size_t> trace_of;
            const std::size_t shown = std::min(order.size(), std::max<std::size_t>(s.max_groups, 1));
            for (std::size_t g = 0; g < order.size(); ++g) trace_of[order[g].first] = std::min(g, shown);
            const std::size_t traces = shown + (order.size() > shown ? 1 : 0);
            std::vector<nlohmann::json> xs(traces, nlohmann::json::array()), ys = xs, zs = xs, texts = xs;
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t t = trace_of[labels[i]];
                xs[t].push_back(finite_value(s.x[i]));
                ys[t].push_back(finite_value(s.y[i]));
                zs[t].push_back(finite_value(s.z[i]));
                if (!s.hover.empty()) texts[t].push_back(s.hover[i]);
            }
            const std::size_t first = data.size();
            for (std::size_t t = 0; t < traces; ++t) {
                const std::string name = t < shown ? order[t].first : std::string("other");
                nlohmann::json marker = {{"size", s.marker_size}, {"opacity", 0.8}};
                if (name == "noise" || name == "other") marker["color"] = "#b0b0b0";  // background groups in grey
                nlohmann::json trace = {{"type", "scatter3d"}, {"mode", "markers"}, {"x", std::move(xs[t])}, {"y", std::move(ys[t])},
                                        {"z", std::move(zs[t])}, {"marker", std::move(marker)}, {"name", name}, {"visible", c == 0}};
                if (!s.hover.empty()) {
                    trace["text"] = std::move(texts[t]);
                    trace["hoverinfo"] = "text+name";
                }
                data.push_back(std::move(trace));
            }
            trace_ranges.emplace_back(first, data.size());
        }
        nlohmann::json layout = base_layout(s.title);
        layout["height"] = 720;
        layout["scene"] = {{"xaxis", {{"title", {{"text", "1"}}}}}, {"yaxis", {{"title", {{"text", "2"}}}}}, {"zaxis", {{"title", {{"text", "3"}}}}}};
        layout["legend"] = {{"itemsizing", "constant"}};
        if (colourings.size() > 1) {
            nlohmann::json buttons = nlohmann::json::array();
            for (std::size_t c = 0; c < colourings.size(); ++c) {
                std::vector<bool> visible(data.size(), false);
                for (std::size_t t = trace_ranges[c].first; t < trace_ranges[c].second; ++t) visible[t] = true;
                buttons.push_back({{"label", "colour by " + colourings[c].first}, {"method", "restyle"}, {"args", {{{"visible", visible}}}}});
            }
            layout["updatemenus"] = {{{"type", "buttons"}, {"direction", "right"}, {"x", 0.0}, {"y", 1.08}, {"xanchor", "left"}, {"buttons", buttons}}};
        }
        return figure(std::move(data), std::move(layout));
    }

    /// Any plotly figure: `data` (array of traces) and `layout` as plotly.js takes them.
    HtmlReport& figure(nlohmann::json data, nlohmann::json layout) {
        const std::string id = "figure-" + std::to_string(figures_++);
        body_ += "<div class=\"figure\" id=\"" + id + "\"></div>\n";
        const nlohmann::json spec = {{"id", id}, {"data", std::move(data)}, {"layout", std::move(layout)}};
        // "<" only occurs inside JSON strings: as \u003c it cannot end the script element
        for (char c : spec.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
            if (c == '<') specs_ += "\\u003c";
            else specs_ += c;
        }
        specs_ += ",\n";
        return *this;
    }

    /// Number of charts so far.
    std::size_t figure_count() const noexcept { return figures_; }

    /// The page, with `plotly_js` (the library's source; empty = charts replaced by a notice) inlined.
    std::string html(std::string_view plotly_js) const {
        std::string h;
        h.reserve(plotly_js.size() + body_.size() + specs_.size() + 4096);
        h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape_html(title_) + "</title>\n";
        h += R"(<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } .subtitle { color: #666; margin-top: 0; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; } th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: 0.7em; overflow-x: auto; }
.figure { margin: 1em 0; min-height: 200px; } .notice { color: #a33; }
</style>
</head>
)";
        h += "<body data-figures=\"" + std::to_string(figures_) + "\">\n<h1>" + escape_html(title_) + "</h1>\n";
        if (!subtitle_.empty()) h += "<p class=\"subtitle\">" + escape_html(subtitle_) + "</p>\n";
        h += body_;
        if (figures_ > 0 && plotly_js.empty()) {
            h += "<p class=\"notice\">plotly.js was not found when this report was written (see musiclab::report::find_plotly_js): the "
                 "charts are missing, the tables above are complete.</p>\n";
            h += "<script>document.body.setAttribute('data-rendered', '0');</script>\n";
        } else if (figures_ > 0) {
            h += "<script>\n" + script_safe(plotly_js) + "\n</script>\n<script>\nconst musiclabFigures = [\n" + specs_ + "];\n";
            h += R"(Promise.all(musiclabFigures.map(f => Plotly.newPlot(f.id, f.data, f.layout, {responsive: true, displaylogo: false})))
  .then(() => document.body.setAttribute('data-rendered', String(musiclabFigures.length)));
</script>
)";
        } else {
            h += "<script>document.body.setAttribute('data-rendered', '0');</script>\n";
        }
        return h += "</body>\n</html>\n";
    }

    /// Writes the page to `path` (creating its folder) with plotly.js read from `plotly_js`
    /// (default: find_plotly_js(); none found = charts replaced by a notice). Throws io_error
    /// when plotly.js or the output cannot be read / written.
    void write(const std::filesystem::path& path, std::optional<std::filesystem::path> plotly_js = find_plotly_js()) const {
        std::string js;
        if (plotly_js) {
            std::ifstream in(*plotly_js, std::ios::binary);
            if (!in) throw io_error(plotly_js->string(), "cannot read plotly.js");
            std::ostringstream s;
            s << in.rdbuf();
            js = std::move(s).str();
        }
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary);
        if (!out) throw io_error(path.string(), "cannot write the report");
        out << html(js);
        if (!out) throw io_error(path.string(), "write failed");
    }

private:
    static nlohmann::json finite_value(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
    static nlohmann::json finite(const std::vector<double>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (double x : v) a.push_back(finite_value(x));
        return a;
    }
    static nlohmann::json base_layout(const std::string& title) {
        return {{"title", {{"text", title}}}, {"margin", {{"l", 60}, {"r", 30}, {"t", 60}, {"b", 50}}}};
    }
    // A <script> element ends at "</script" (any case), and "<!--" changes how the browser reads
    // it: in the inlined library they are escaped as "<\/script" and "<\!--", which mean the same
    // inside JavaScript strings and comments, where they occur.
    static std::string script_safe(std::string_view s) {
        auto lower_is = [&](std::size_t i, std::string_view word) {
            if (s.size() - i < word.size()) return false;
            for (std::size_t k = 0; k < word.size(); ++k)
                if (static_cast<char>(s[i + k] | 0x20) != word[k]) return false;
            return true;
        };
        std::string out;
        out.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            out += s[i];
            if (s[i] != '<' || i + 1 == s.size()) continue;
            if ((s[i + 1] == '/' && lower_is(i + 2, "script")) || (s[i + 1] == '!' && s.substr(i + 2, 2) == "--")) out += '\\';
        }
        return out;
    }

    std::string title_, subtitle_;
    std::string body_;   // HTML of the sections, in order
    std::string specs_;  // JSON of the figures, in order
    std::size_t figures_ = 0;
};

}  // namespace musiclab::report
