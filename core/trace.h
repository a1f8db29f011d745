#pragma once
// Trace: the signals of one run, column by column.
//
// A trace is a strictly increasing time column and any number of named signal columns of the same
// length. Simulations append one row per step; monitors read whole columns. Names may contain dots
// (`ego.speed`, `lead.gap`).
//
// A trace may have a fixed step (SetFixedStep): sample i is at time t_0 + i*step, as in a simulation,
// where time is a step count. Monitors then evaluate window bounds in whole steps (docs/stl.md,
// "Windows"); a trace without one (irregular times) compares time differences with a tolerance.
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

  /// How far (in steps) a time may lie from its grid point t_0 + i*step in a fixed-step trace: a CSV
  /// whose times all lie this close to a uniform grid is read as a fixed-step trace.
  static constexpr double kGridTolerance = 1e-6;
  /// Declares a fixed step (> 0, finite): sample i is at t_0 + i*step. Every time, appended before or
  /// after, must lie within kGridTolerance*step of its grid point (checked: a programming error).
  void SetFixedStep(double step);
  /// The fixed step; 0 for a trace with irregular times.
  [[nodiscard]] double fixed_step() const { return step_; }

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
  /// Reads the CSV format WriteCsv writes. A trace of two or more samples whose times lie within
  /// kGridTolerance steps of a uniform grid (step (t_last - t_0)/(n - 1)) gets that fixed step. Every problem (missing or duplicate column, a field that is
  /// not a number, a row of the wrong length, time not strictly increasing) is an InputError with
  /// `path:line:col`. `path` is used for the messages only.
  [[nodiscard]] static Trace ReadCsv(std::istream& in, const std::string& path);
  [[nodiscard]] static Trace ReadCsvFile(const std::string& path);

  friend bool operator==(const Trace&, const Trace&) = default;

 private:
  /// Whether `time` is within the tolerance of the grid point of the next sample.
  [[nodiscard]] bool OnGrid(double time) const;

  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<double> time_;
  double step_ = 0.0;
  std::vector<std::vector<double>> columns_;
};

}  // namespace gauntlet::core
