// The pages in a real browser: report.html of a small example-like suite, a replay page and the history
// page, rendered by headless chromium at 1400 px and at 400 px (each page in an iframe of that width, one
// browser run for all). Each must load without a console error, run its script to the end (it marks the
// body `data-replay-ready`), fit its width without sideways scrolling, and moving each replay's slider
// must move the actors (the live polygons' points differ). In CI (CI=true) a missing chromium is a
// failure; elsewhere the tests are skipped.

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/app/command_runner.h"
#include "tests/test_files.h"

namespace gauntlet::test {
namespace {

const std::string kSuite = std::string(GAUNTLET_SOURCE_DIR) + "/tests/reports/testdata/small_suite.yaml";

std::string Chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

/// The harness: loads every page in an iframe of an exact width (a browser window cannot be narrower
/// than about 500 px; an iframe can), waits for each to load (its scripts have run), then records per
/// page: the replays set up, the errors recorded, the scroll and client widths, and for every replay
/// whether moving its slider to the end moved the actors. One line per page in #out.
constexpr const char* kHarness = R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"/></head><body><pre id="out"></pre><script>
var pages = PAGES;
var lines = [], pending = pages.length;
pages.forEach(function (p, i) {
  var f = document.createElement('iframe');
  f.width = p[1]; f.height = 700; f.src = p[0];
  f.onload = function () {
    var d = f.contentDocument, moved = 0, replays = 0;
    Array.prototype.forEach.call(d.querySelectorAll('div.replay'), function (box) {
      var slider = box.querySelector('input[type=range]'), poly = box.querySelector('polygon.live-actor');
      if (!slider || !poly) return;
      replays++;
      var before = poly.getAttribute('points');
      slider.value = slider.max;
      slider.dispatchEvent(new Event('input'));
      if (poly.getAttribute('points') !== before && box.getAttribute('data-frame') === slider.max) moved++;
    });
    lines[i] = 'PAGE ' + p[0] + ' ' + p[1] + ' ready=' + d.body.getAttribute('data-replay-ready') +
        ' errors=' + (d.documentElement.getAttribute('data-errors') || '').length +
        ' scroll=' + d.documentElement.scrollWidth + ' client=' + d.documentElement.clientWidth +
        ' replays=' + replays + ' moved=' + moved;
    if (--pending === 0) document.getElementById('out').textContent = lines.join('\n') + '\nDONE';
  };
  document.body.appendChild(f);
});
</script></body></html>
)html";

struct PageResult {
  int ready = -1, errors = -1, scroll = -1, client = -1, replays = -1, moved = -1;
};

class BrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Chromium().empty()) return;
    dir_ = new std::string(FreshDir("browser_test"));
    const std::string& dir = *dir_;
    for (const std::string label : {"first", "second"}) {
      const int code = RunGauntlet({"run", kSuite, "--out", dir + "/" + label, "--db", dir + "/history.db", "--label",
                                    label, "--quiet", "--threads", "2"}, dir);
      ASSERT_EQ(code, 1) << ReadFile(dir + "/stderr.txt");
    }
    const std::string id = FirstIdWith(dir + "/first/results.jsonl", "\"gating\":true,\"verdict\":\"fail\"");
    ASSERT_FALSE(id.empty());
    ASSERT_EQ(RunGauntlet({"replay", dir + "/first", "--case", id, "--html", dir + "/replay.html"}, dir), 1);
    ASSERT_EQ(RunGauntlet({"history", "--db", dir + "/history.db", "--html", dir + "/history.html"}, dir), 0);
    // every page at 1400 and 400 px, in one browser run
    std::string pages = "[";
    for (const std::string page : {"first/report.html", "replay.html", "history.html"}) {
      for (const int width : {1400, 400}) pages += "['" + page + "', " + std::to_string(width) + "],";
    }
    pages.back() = ']';
    std::string harness = kHarness;
    harness.replace(harness.find("PAGES"), 5, pages);
    std::ofstream(dir + "/harness.html", std::ios::binary) << harness;
    const std::string command = Chromium() +
                                " --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "
                                "--disable-background-networking --disable-component-update --disable-sync "
                                "--allow-file-access-from-files --enable-logging=stderr --v=0 "
                                "--virtual-time-budget=5000 --user-data-dir='" + dir + "/profile' "
                                "--window-size=1500,1000 --dump-dom 'file://" + dir + "/harness.html' >'" + dir +
                                "/harness.dom' 2>'" + dir + "/chromium.log'";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << ReadFile(dir + "/chromium.log");
    dom_ = new std::string(ReadFile(dir + "/harness.dom"));
    log_ = new std::string(ReadFile(dir + "/chromium.log"));
    const std::regex page_line("PAGE [^ ']+ [0-9]+[^\n<]*");
    for (auto it = std::sregex_iterator(dom_->begin(), dom_->end(), page_line); it != std::sregex_iterator(); ++it) {
      std::printf("%s\n", it->str().c_str());
    }
  }
  void SetUp() override {
    if (Chromium().empty()) {
      if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
        FAIL() << "chromium is not installed (tools/dev installs it): the browser tests cannot run in CI";
      }
      GTEST_SKIP() << "chromium not installed";
    }
    ASSERT_NE(dom_, nullptr);
    ASSERT_NE(dom_->find("DONE"), std::string::npos) << "not every page loaded:\n" << *dom_ << "\n" << *log_;
  }
  /// What the harness found for `page` at `width`.
  static PageResult Result(const std::string& page, int width) {
    PageResult r;
    const std::regex line("PAGE " + page + " " + std::to_string(width) +
                          " ready=(-?\\d+|null) errors=(\\d+) scroll=(\\d+) client=(\\d+) replays=(\\d+) moved=(\\d+)");
    std::smatch m;
    if (!std::regex_search(*dom_, m, line)) return r;
    r.ready = m[1].str() == "null" ? -1 : std::stoi(m[1].str());
    r.errors = std::stoi(m[2].str());
    r.scroll = std::stoi(m[3].str());
    r.client = std::stoi(m[4].str());
    r.replays = std::stoi(m[5].str());
    r.moved = std::stoi(m[6].str());
    return r;
  }
  /// What every page must satisfy at both widths: it loads, its script runs to the end and sets up at
  /// least `min_replays` replays, no error, no sideways scrolling, and every slider moves its actors.
  static void CheckPage(const std::string& page, int min_replays) {
    for (const int width : {1400, 400}) {
      const PageResult r = Result(page, width);
      EXPECT_GE(r.ready, min_replays) << page << " at " << width << " px: the script did not finish";
      EXPECT_EQ(r.errors, 0) << page << " at " << width << " px";
      EXPECT_GT(r.client, 0) << page;
      EXPECT_LE(r.client, width) << page;
      EXPECT_LE(r.scroll, r.client) << page << ": the page scrolls sideways at " << width << " px";
      EXPECT_EQ(r.replays, r.ready) << page << ": every replay has a slider and actors";
      EXPECT_EQ(r.moved, r.replays) << page << " at " << width << " px: a slider did not move its actors";
    }
    // console messages (errors, uncaught exceptions) appear in chromium's log as CONSOLE lines
    EXPECT_FALSE(std::regex_search(*log_, std::regex("CONSOLE|Uncaught"))) << *log_;
  }
  static std::string* dir_;
  static std::string* dom_;
  static std::string* log_;
};
std::string* BrowserTest::dir_ = nullptr;
std::string* BrowserTest::dom_ = nullptr;
std::string* BrowserTest::log_ = nullptr;

// One test (one browser run, one setup) for the three pages: under ctest each test is a process of its own.
TEST_F(BrowserTest, ReportReplayAndHistoryPagesLoadAtBothWidthsAndTheSlidersMoveTheActors) {
  CheckPage("first/report.html", 2);
  const std::string report = ReadFile(*dir_ + "/first/report.html");
  EXPECT_NE(report.find("search cma_es"), std::string::npos);
  EXPECT_NE(report.find("shrunk counterexample"), std::string::npos);
  CheckPage("replay.html", 1);
  CheckPage("history.html", 0);
}

}  // namespace
}  // namespace gauntlet::test
