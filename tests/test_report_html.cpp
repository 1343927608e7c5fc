// musiclab::report::HtmlReport: escaping (no input can close a tag or the script element), table
// and chart shape checks, the figure count the browser test waits for, and the page without
// plotly.js. The page in a real browser: tests/report/check_report.py (ctest report_*).
#include <doctest/doctest.h>
#include <musiclab/report.hpp>
#include <support.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mr = musiclab::report;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
}

// The JSON array of figure specs the page hands to plotly (between "musiclabFigures = " and "];").
nlohmann::json figure_specs(const std::string& page) {
    const auto begin = page.find("const musiclabFigures = [");
    REQUIRE(begin != std::string::npos);
    const auto end = page.find("];\n", begin);
    std::string specs = page.substr(begin + 24, end + 1 - (begin + 24));
    // trailing comma of the last spec -> valid JSON
    const auto last = specs.rfind(",\n]");
    if (last != std::string::npos) specs.erase(last, 1);
    return nlohmann::json::parse(specs);
}

}  // namespace

TEST_CASE("report escapes text and table cells and keeps the script element closed") {
    mr::HtmlReport r("A <b>title</b> & more", "sub'title\"");
    r.section("<script>alert(1)</script>").text("x < y && y > z");
    r.table(mr::Table{"caption </script>", {"name", "n", "value"}, {{std::string("a</script><script>alert(2)"), 3LL, 0.123456}}, 3});
    r.bars(mr::Bars{"bars </script><!--", "v", {"</SCRIPT>", "b"}, {}, {{1.0, 2.0}}, true});
    const std::string page = r.html("/* plotly */ var s = '</script>';");
    CHECK(page.find("<b>title</b>") == std::string::npos);
    CHECK(page.find("A &lt;b&gt;title&lt;/b&gt; &amp; more") != std::string::npos);
    CHECK(page.find("sub&#39;title&quot;") != std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(page.find("x &lt; y &amp;&amp; y &gt; z") != std::string::npos);
    CHECK(page.find("<td class=\"num\">0.123</td>") != std::string::npos);
    CHECK(page.find("<td class=\"num\">3</td>") != std::string::npos);
    // every "</script" in the page closes one of the page's own three script elements
    std::string lower = page;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    CHECK(count(lower, "</script") == 2);  // the inlined library and the figures
    CHECK(count(page, "<!--") == 0);
    // the figure data survives the escaping
    const auto specs = figure_specs(page);
    REQUIRE(specs.size() == 1);
    CHECK(specs[0]["layout"]["title"]["text"] == "bars </script><!--");
    CHECK(specs[0]["data"][0]["y"][0] == "</SCRIPT>");
}

TEST_CASE("report counts its figures and replaces charts by a notice without plotly.js") {
    mr::HtmlReport r("t");
    CHECK(r.figure_count() == 0);
    const std::vector<double> x = {0, 1, 2}, y = {1, 2, 3}, z = {3, 2, 1};
    r.lines(mr::Lines{"l", "x", "y", x, {"s"}, {y}});
    mr::Scatter3d s;
    s.title = "galaxy";
    s.x = x;
    s.y = y;
    s.z = z;
    s.colourings = {{"cluster", {"1", "2", "1"}}, {"genre", {"rock", "pop", "jazz"}}};
    s.hover = {"a", "b", "c"};
    s.max_groups = 2;
    r.scatter3d(s);
    CHECK(r.figure_count() == 2);
    const std::string page = r.html("var Plotly = {};");
    CHECK(page.find("data-figures=\"2\"") != std::string::npos);
    const auto specs = figure_specs(page);
    REQUIRE(specs.size() == 2);
    // colourings: cluster (2 groups) + genre (2 largest + "other"); only the first visible
    const auto& traces = specs[1]["data"];
    REQUIRE(traces.size() == 5);
    CHECK(traces[0]["visible"] == true);
    CHECK(traces[2]["visible"] == false);
    CHECK(traces[4]["name"] == "other");
    std::size_t points = 0;
    for (std::size_t t = 2; t < 5; ++t) points += traces[t]["x"].size();
    CHECK(points == 3);
    CHECK(specs[1]["layout"]["updatemenus"][0]["buttons"].size() == 2);

    const std::string bare = r.html("");
    CHECK(bare.find("plotly.js was not found") != std::string::npos);
    CHECK(bare.find("data-rendered', '0'") != std::string::npos);
    CHECK(bare.find("musiclabFigures") == std::string::npos);
}

TEST_CASE("report rejects mismatched shapes and writes invalid UTF-8 as U+FFFD") {
    mr::HtmlReport r("t");
    CHECK_THROWS_AS(r.table(mr::Table{"c", {"a", "b"}, {{std::string("x")}}, 2}), musiclab::shape_mismatch);
    CHECK_THROWS_AS(r.bars(mr::Bars{"b", "v", {"a", "b"}, {}, {{1.0}}, true}), musiclab::shape_mismatch);
    CHECK_THROWS_AS(r.lines(mr::Lines{"l", "x", "y", {0, 1}, {}, {{1.0, 2.0, 3.0}}}), musiclab::shape_mismatch);
    const std::vector<double> x = {0, 1}, y = {0};
    mr::Scatter3d s;
    s.x = x;
    s.y = y;
    s.z = x;
    CHECK_THROWS_AS(r.scatter3d(s), musiclab::shape_mismatch);
    CHECK(r.figure_count() == 0);
    r.bars(mr::Bars{"bad \xff bytes", "v", {"\xc3"}, {}, {{1.0}}, true});
    const auto specs = figure_specs(r.html("x"));
    CHECK(specs[0]["layout"]["title"]["text"] == "bad \xef\xbf\xbd bytes");
}

TEST_CASE("report writes the page with plotly.js from a file and reports unreadable paths") {
    const auto dir = std::filesystem::temp_directory_path() / "musiclab_test_report";
    std::filesystem::create_directories(dir);
    {
        std::ofstream js(dir / "fake_plotly.js");
        js << "window.Plotly = {newPlot: function() { return Promise.resolve(); }};";
    }
    mr::HtmlReport r("t");
    r.bars(mr::Bars{"b", "v", {"a"}, {}, {{1.0}}, true});
    r.write(dir / "sub" / "report.html", dir / "fake_plotly.js");
    std::ifstream in(dir / "sub" / "report.html");
    std::stringstream page;
    page << in.rdbuf();
    CHECK(page.str().find("window.Plotly = {newPlot") != std::string::npos);
    CHECK_THROWS_AS(r.write(dir / "r.html", dir / "no_such_plotly.js"), musiclab::io_error);
    std::filesystem::remove_all(dir);
}
