#include "core/trace.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>

#include "core/check.h"
#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"
#include "core/text.h"

namespace gauntlet::core {
namespace {

struct Field {
  std::string_view text;
  int col = 1;  // 1-based column of the field's first character
};

std::vector<Field> SplitCsvLine(std::string_view line) {
  std::vector<Field> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    const size_t end = comma == std::string_view::npos ? line.size() : comma;
    std::string_view text = line.substr(start, end - start);
    int col = static_cast<int>(start) + 1;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
      ++col;
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
      text.remove_suffix(1);
    }
    fields.push_back({text, col});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Trace::Trace(std::vector<std::string> signal_names) {
  for (std::string& name : signal_names) AddSignal(std::move(name));
}

size_t Trace::AddSignal(std::string name) {
  GAUNTLET_CHECK_MSG(time_.empty(), "signals are added before the first row");
  GAUNTLET_CHECK_MSG(!index_.contains(name), "signal names are unique");
  const size_t i = names_.size();
  index_.emplace(name, i);
  names_.push_back(std::move(name));
  columns_.emplace_back();
  return i;
}

void Trace::Append(double time, std::span<const double> values) {
  GAUNTLET_CHECK(values.size() == names_.size());
  GAUNTLET_CHECK_MSG(time_.empty() || time > time_.back(), "time is strictly increasing");
  GAUNTLET_CHECK_MSG(step_ == 0.0 || OnGrid(time), "the time of a fixed-step trace is on its grid");
  time_.push_back(time);
  for (size_t i = 0; i < values.size(); ++i) columns_[i].push_back(values[i]);
}

bool Trace::OnGrid(double time) const {
  if (time_.empty()) return true;
  const double grid = time_[0] + static_cast<double>(time_.size()) * step_;
  return std::fabs(time - grid) <= kGridTolerance * step_;
}

void Trace::SetFixedStep(double step) {
  GAUNTLET_CHECK_MSG(std::isfinite(step) && step > 0.0, "a fixed step is positive and finite");
  step_ = step;
  std::vector<double> times;
  times.swap(time_);
  for (const double t : times) {
    GAUNTLET_CHECK_MSG(OnGrid(t), "the times of a fixed-step trace are on its grid");
    time_.push_back(t);
  }
}

void Trace::Reserve(size_t rows) {
  time_.reserve(rows);
  for (auto& column : columns_) column.reserve(rows);
}

std::optional<size_t> Trace::Find(std::string_view name) const {
  const auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::span<const double> Trace::column(std::string_view name) const {
  const auto i = Find(name);
  GAUNTLET_CHECK_MSG(i.has_value(), "signal exists");
  return columns_[*i];
}

void Trace::WriteCsv(std::ostream& out) const {
  out << "time";
  for (const std::string& name : names_) out << ',' << name;
  out << '\n';
  for (size_t row = 0; row < time_.size(); ++row) {
    out << FormatDouble(time_[row]);
    for (const auto& column : columns_) out << ',' << FormatDouble(column[row]);
    out << '\n';
  }
}

Trace Trace::ReadCsv(std::istream& in, const std::string& path) {
  Diagnostics diags;
  Trace trace;
  std::string line;
  int line_no = 0;
  bool have_header = false;
  size_t width = 0;
  std::vector<double> row;
  double last_time = -INFINITY;
  int last_time_line = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    const std::vector<Field> fields = SplitCsvLine(line);
    if (!have_header) {
      have_header = true;
      width = fields.size();
      if (fields[0].text != "time") {
        diags.Error({path, line_no, fields[0].col},
                    "the first column must be 'time', found " + Quote(fields[0].text));
      }
      for (size_t i = 1; i < fields.size(); ++i) {
        const std::string name(fields[i].text);
        if (name.empty()) {
          diags.Error({path, line_no, fields[i].col}, "empty column name");
        } else if (name == "time" || trace.Find(name)) {
          diags.Error({path, line_no, fields[i].col}, "duplicate column " + Quote(name));
        } else {
          trace.AddSignal(name);
        }
      }
      if (!diags.empty()) diags.ThrowIfAny();
      row.resize(trace.signal_count());
      continue;
    }
    if (fields.size() != width) {
      diags.Error({path, line_no, 1}, "expected " + std::to_string(width) + " fields, found " +
                                          std::to_string(fields.size()));
      continue;
    }
    bool row_ok = true;
    double time = 0.0;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto value = ParseNumber(fields[i].text);
      if (!value || std::isnan(*value)) {
        diags.Error({path, line_no, fields[i].col},
                    Quote(fields[i].text) + " is not a number");
        row_ok = false;
      } else if (i == 0) {
        time = *value;
      } else {
        row[i - 1] = *value;
      }
    }
    if (!row_ok) continue;
    if (!std::isfinite(time)) {
      diags.Error({path, line_no, fields[0].col}, "time must be finite");
      continue;
    }
    if (time <= last_time) {
      diags.Error({path, line_no, fields[0].col},
                  "time " + FormatDouble(time) + " is not greater than " + FormatDouble(last_time) +
                      " on line " + std::to_string(last_time_line) + "; time must be strictly increasing");
      continue;
    }
    last_time = time;
    last_time_line = line_no;
    if (diags.empty()) trace.Append(time, row);
  }
  if (!have_header) diags.Error({path, 1, 1}, "empty trace: expected a header 'time,<signal>,...'");
  else if (trace.empty() && diags.empty()) diags.Error({path, line_no + 1, 1}, "the trace has no samples");
  diags.ThrowIfAny();
  // a uniform grid within the tolerance: a fixed-step trace
  const size_t n = trace.size();
  if (n >= 2) {
    const double step = (trace.time_[n - 1] - trace.time_[0]) / static_cast<double>(n - 1);
    bool uniform = std::isfinite(step) && step > 0.0;
    for (size_t i = 0; uniform && i < n; ++i) {
      uniform = std::fabs(trace.time_[i] - (trace.time_[0] + static_cast<double>(i) * step)) <= kGridTolerance * step;
    }
    if (uniform) trace.step_ = step;
  }
  return trace;
}

Trace Trace::ReadCsvFile(const std::string& path) {
  std::istringstream in(ReadInputFile(path, InputKind::kCsv, "cannot open trace file"));
  return ReadCsv(in, path);
}

}  // namespace gauntlet::core
