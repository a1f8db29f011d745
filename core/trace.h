#pragma once
// Trace: the signals of one run, column by column.
//
// A trace is a strictly increasing time column and any number of named signal columns of the same
// length. Simulations append one row per step; monitors read whole columns. Names may contain dots
// (`ego.speed`, `lead.gap`).
//
//   core::Trace trace({"ego.speed", "gap"});
//   trace.Append(0.0, {{20.0, 35.0}});
//   std::span<const double> gap = trace.column(*trace.Find("gap"));

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gauntlet::core {

class Trace {
 public:
  Trace() = default;
  explicit Trace(std::vector<std::string> signal_names);

  /// Adds a signal column. Only before the first row is appended. Names must be unique.
  size_t AddSignal(std::string name);
  /// Appends one row: the time (greater than the previous one) and one value per signal.
  void Append(double time, std::span<const double> values);
  void Reserve(size_t rows);

  [[nodiscard]] size_t size() const { return time_.size(); }
  [[nodiscard]] bool empty() const { return time_.empty(); }
  [[nodiscard]] size_t signal_count() const { return names_.size(); }
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
  [[nodiscard]] std::optional<size_t> Find(std::string_view name) const;
  [[nodiscard]] std::span<const double> time() const { return time_; }
  [[nodiscard]] std::span<const double> column(size_t signal) const { return columns_[signal]; }
  /// The column of `name`; the name must exist.
  [[nodiscard]] std::span<const double> column(std::string_view name) const;

  /// Writes `time,<signal>,...` then one line per row, numbers in shortest round-trip form.
  void WriteCsv(std::ostream& out) const;
  /// Reads the CSV format WriteCsv writes. Every problem (missing or duplicate column, a field that is
  /// not a number, a row of the wrong length, time not strictly increasing) is an InputError with
  /// `path:line:col`. `path` is used for the messages only.
  [[nodiscard]] static Trace ReadCsv(std::istream& in, const std::string& path);
  [[nodiscard]] static Trace ReadCsvFile(const std::string& path);

  friend bool operator==(const Trace&, const Trace&) = default;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<double> time_;
  std::vector<std::vector<double>> columns_;
};

}  // namespace gauntlet::core
