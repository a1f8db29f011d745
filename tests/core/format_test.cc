#include "core/format.h"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

namespace gauntlet::core {
namespace {

TEST(ShellQuoteTest, PlainWordsStayAndEverythingElseIsSingleQuoted) {
  EXPECT_EQ(ShellQuote("out/example"), "out/example");
  EXPECT_EQ(ShellQuote("a-b_c.d,e:f@g+h"), "a-b_c.d,e:f@g+h");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("x'y"), "'x'\\''y'");
  EXPECT_EQ(ShellQuote("lead_brake@idm#37 gap=12"), "'lead_brake@idm#37 gap=12'");
  EXPECT_EQ(ShellQuote("=ls"), "'=ls'");  // zsh expands a leading '='
  EXPECT_EQ(ShellQuote("~"), "'~'");
  EXPECT_EQ(ReplayCommand("out dir", "x'; touch PWNED; echo '"),
            "gauntlet replay 'out dir' --case 'x'\\''; touch PWNED; echo '\\'''");
}

/// What /bin/sh makes of `word`: printf prints the single argument it receives.
std::string ThroughShell(const std::string& word) {
  const std::string command = "printf '%s' " + word;
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[256];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  return out;
}

TEST(ShellQuoteTest, TheShellReadsBackExactlyTheText) {
  std::mt19937 random(7);
  const std::string nasty = "'\"`$\\!*?[]{}()<>|&;#~= \t\n%^";
  for (int trial = 0; trial < 200; ++trial) {
    std::string text;
    const size_t length = random() % 12;
    for (size_t i = 0; i < length; ++i) {
      // mostly the characters a shell treats specially, some bytes of any value but NUL
      text += random() % 3 != 0 ? nasty[random() % nasty.size()] : static_cast<char>(1 + random() % 255);
    }
    EXPECT_EQ(ThroughShell(ShellQuote(text)), text) << ShellQuote(text);
  }
  EXPECT_EQ(ThroughShell(ShellQuote("x'; touch PWNED; echo '")), "x'; touch PWNED; echo '");
}

}  // namespace
}  // namespace gauntlet::core
