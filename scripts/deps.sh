# Sourced by scripts/demo and scripts/test: installs the Debian packages musiclab needs, only
# those that are missing (apt-get update first). Needs root or sudo when something is missing.
# `musiclab_install_deps` installs what the library, examples and benchmarks need;
# `musiclab_install_deps test` adds what the tests need (the headless browser for the reports).
musiclab_packages=(cmake ninja-build g++ ccache libeigen3-dev libxtensor-dev xtl-dev libxsimd-dev
                   libfast-float-dev libutf8proc-dev pkg-config doctest-dev libbenchmark-dev
                   nlohmann-json3-dev libspectra-dev
                   python3-plotly)  # plotly.js, inlined into the examples' HTML reports
musiclab_test_packages=(chromium chromium-driver python3-selenium
                        python3-sklearn)  # its digits data file: the UMAP parity input
musiclab_install_deps() {
  local missing=() p
  local wanted=("${musiclab_packages[@]}")
  [ "${1:-}" = test ] && wanted+=("${musiclab_test_packages[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "musiclab: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
