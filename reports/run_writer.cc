#include "reports/run_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <streambuf>

#include "core/error.h"
#include "core/unique_fd.h"
#include "reports/html_report.h"

namespace gauntlet::reports {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText() { return std::strerror(errno); }

/// Opens `path` for writing only if nothing has that name: O_EXCL refuses any existing entry, a symlink
/// (even a dangling one) included, and O_NOFOLLOW says so twice. None (-1) with errno on failure.
core::UniqueFd CreateFresh(const std::string& path) {
  return core::UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
}

/// A new temporary next to `path` (".NAME.tmp-PID-N"), opened by CreateFresh; a name already taken (a
/// leftover, or a link planted there) is skipped, never opened.
core::UniqueFd CreateTemporary(const std::string& path, std::string* temporary) {
  const fs::path p(path);
  for (unsigned attempt = 0; attempt < 1000; ++attempt) {
    *temporary = (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(attempt)))
                     .string();
    core::UniqueFd fd = CreateFresh(*temporary);
    if (fd.valid()) return fd;
    if (errno != EEXIST && errno != ELOOP) {
      throw core::InfrastructureError("cannot create " + *temporary + ": " + ErrnoText());
    }
  }
  throw core::InfrastructureError("cannot create a temporary file next to " + path);
}

/// A stream buffer over a file descriptor (owned), with a 64 KiB buffer.
class FdBuffer : public std::streambuf {
 public:
  FdBuffer(core::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  FdBuffer(const FdBuffer&) = delete;
  FdBuffer& operator=(const FdBuffer&) = delete;

  /// Writes the buffer out; throws core::InfrastructureError on failure.
  void Drain() {
    const char* data = pbase();
    size_t left = static_cast<size_t>(pptr() - pbase());
    while (left > 0) {
      const ssize_t n = ::write(fd_.get(), data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw core::InfrastructureError("write failed: " + path_ + " (disk full?)");
      data += n;
      left -= static_cast<size_t>(n);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  /// Drains and closes; throws on failure.
  void Close() {
    Drain();
    if (::close(fd_.release()) != 0) throw core::InfrastructureError("cannot write " + path_ + ": " + ErrnoText());
  }

 protected:
  int_type overflow(int_type c) override {
    Drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::streamsize done = 0;
    while (done < n) {
      if (pptr() == epptr()) Drain();
      const std::streamsize room = epptr() - pptr();
      const std::streamsize k = std::min(room, n - done);
      std::memcpy(pptr(), s + done, static_cast<size_t>(k));
      pbump(static_cast<int>(k));
      done += k;
    }
    return n;
  }

 private:
  core::UniqueFd fd_;
  std::string path_;
  std::vector<char> buffer_;
};

/// Keeps every `stride`-th result in arrival order, doubling the stride (and thinning what is kept) whenever
/// more than `cap` are kept: a deterministic subsample of bounded size.
class StrideSample {
 public:
  explicit StrideSample(size_t cap) : cap_(std::max<size_t>(1, cap)) {}
  void Add(const scenarios::InstanceResult& r) {
    if (seen_++ % stride_ != 0) return;
    kept_.push_back({seen_ - 1, r});
    if (kept_.size() <= cap_) return;
    stride_ *= 2;
    std::erase_if(kept_, [&](const auto& e) { return e.first % stride_ != 0; });
  }
  void MoveTo(std::vector<scenarios::InstanceResult>* out) {
    for (auto& e : kept_) out->push_back(std::move(e.second));
    kept_.clear();
  }

 private:
  size_t cap_;
  size_t stride_ = 1;
  size_t seen_ = 0;
  std::vector<std::pair<size_t, scenarios::InstanceResult>> kept_;
};

}  // namespace

struct AtomicFile::Impl {
  std::string path;
  std::string temporary;
  std::unique_ptr<FdBuffer> buffer;
  std::unique_ptr<std::ostream> stream;
  bool committed = false;
};

AtomicFile::AtomicFile(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  core::UniqueFd fd = CreateTemporary(impl_->path, &impl_->temporary);
  // the destructor does not run when the constructor throws: the temporary goes here then
  try {
    impl_->buffer = std::make_unique<FdBuffer>(std::move(fd), impl_->temporary);
    impl_->stream = std::make_unique<std::ostream>(impl_->buffer.get());
    impl_->stream->exceptions(std::ios::badbit);
  } catch (...) {
    Discard();
    throw;
  }
}

AtomicFile::~AtomicFile() {
  if (!impl_->committed) Discard();
}

void AtomicFile::Discard() {
  impl_->stream.reset();
  impl_->buffer.reset();
  ::unlink(impl_->temporary.c_str());
}

std::ostream& AtomicFile::stream() { return *impl_->stream; }

void AtomicFile::Commit() {
  impl_->stream->flush();
  impl_->buffer->Close();
  if (std::rename(impl_->temporary.c_str(), impl_->path.c_str()) != 0) {
    throw core::InfrastructureError("cannot write " + impl_->path + ": " + ErrnoText());
  }
  impl_->committed = true;
}

void WriteFileAtomically(const std::string& path, std::string_view text) {
  try {
    AtomicFile file(path);
    file.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
    file.Commit();
  } catch (const std::ios::failure&) {
    throw core::InfrastructureError("cannot write " + path + " (disk full or not writable?)");
  }
}

struct RunWriter::Impl {
  std::string dir;
  const scenarios::Suite& suite;
  RunOutputOptions options;
  std::string results_path;
  std::unique_ptr<FdBuffer> results;
  SummaryBuilder summary;
  std::vector<scenarios::CoverageTracker> coverage;
  std::vector<float> wall_times_s;
  StrideSample passing, failing;
  std::vector<scenarios::InstanceResult> worst;  ///< failing instances, the worst `report_cases` among them
  std::vector<scenarios::InstanceResult> chosen;  ///< search, shrinking and formal results, all kept
  size_t count = 0;

  Impl(std::string d, const scenarios::Suite& s, RunOutputOptions o)
      : dir(std::move(d)), suite(s), options(o), passing(o.report_results), failing(o.report_results) {}

  void KeepWorst(const scenarios::InstanceResult& r) {
    if (!r.Failed() || ProvenanceOf(r.origin) == Provenance::kFormal || options.report_cases == 0) return;
    worst.push_back(r);
    if (worst.size() < 2 * options.report_cases) return;
    // WorstInstances is stable: ties keep plan order, as over the whole results
    std::vector<scenarios::InstanceResult> kept;
    for (size_t i : WorstInstances(worst, options.report_cases)) kept.push_back(std::move(worst[i]));
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.plan_index < b.plan_index; });
    worst = std::move(kept);
  }
};

RunWriter::RunWriter(std::string dir, const scenarios::Suite& suite, RunOutputOptions options)
    : impl_(std::make_unique<Impl>(std::move(dir), suite, options)) {
  std::error_code ec;
  fs::create_directories(impl_->dir, ec);
  if (ec) throw core::InfrastructureError("cannot create the output directory " + impl_->dir + ": " + ec.message());
  for (const scenarios::Family& f : suite.families) impl_->coverage.emplace_back(f.scenario->parameters);
  // results.jsonl grows in place: the old entry (a file, or a link, which is removed and not followed) goes
  impl_->results_path = impl_->dir + "/results.jsonl";
  if (::unlink(impl_->results_path.c_str()) != 0 && errno != ENOENT) {
    throw core::InfrastructureError("cannot replace " + impl_->results_path + ": " + ErrnoText());
  }
  core::UniqueFd fd = CreateFresh(impl_->results_path);
  if (!fd.valid()) throw core::InfrastructureError("cannot create " + impl_->results_path + ": " + ErrnoText());
  impl_->results = std::make_unique<FdBuffer>(std::move(fd), impl_->results_path);
}

RunWriter::~RunWriter() = default;

void RunWriter::Add(const scenarios::InstanceResult& result) { AddLine(scenarios::ToJsonLine(result), result); }

void RunWriter::AddLine(std::string_view line, const scenarios::InstanceResult& result) {
  Impl& m = *impl_;
  m.results->sputn(line.data(), static_cast<std::streamsize>(line.size()));
  m.results->sputc('\n');
  scenarios::InstanceResult r = result;
  r.plan_index = m.count++;
  m.summary.Add(r);
  m.wall_times_s.push_back(static_cast<float>(r.wall_time_s));
  for (size_t f = 0; f < m.suite.families.size(); ++f) {
    if (m.suite.families[f].name != r.family || ProvenanceOf(r.origin) == Provenance::kFormal) continue;
    const size_t dimension = m.suite.families[f].scenario->parameters.dimension();
    if (r.parameters.size() < dimension) break;
    std::vector<double> values(dimension);
    for (size_t k = 0; k < dimension; ++k) values[k] = r.parameters[k].second;
    m.coverage[f].Add(values);
    break;
  }
  if (!m.options.report) return;
  m.KeepWorst(r);
  const Provenance provenance = ProvenanceOf(r.origin);
  if (provenance == Provenance::kSearch || provenance == Provenance::kShrink || provenance == Provenance::kFormal) {
    m.chosen.push_back(r);  // the report shows every search step and formal check (bounded by their budgets)
  } else if (r.Failed() || r.status == scenarios::InstanceStatus::kError) {
    m.failing.Add(r);
  } else {
    m.passing.Add(r);
  }
}

void RunWriter::Flush() { impl_->results->Drain(); }

size_t RunWriter::count() const { return impl_->count; }

RunSummary RunWriter::Finish(RunInfo info) {
  Impl& m = *impl_;
  m.results->Close();
  info.coverage.clear();
  for (size_t f = 0; f < m.suite.families.size(); ++f) {
    const auto report = m.coverage[f].Report();
    info.coverage.push_back({m.suite.families[f].name, report.points, report.single_fraction, report.pairwise_fraction});
  }
  // model files by absolute path, however the suite was named: a merge reloads it from run.json's absolute path
  for (auto& [slot, source] : info.models) {
    if (!source.starts_with("builtin:") && !source.empty()) source = fs::absolute(source).lexically_normal().string();
  }
  const RunSummary summary = m.summary.Finish(std::move(info));
  WriteFileAtomically(m.dir + "/summary.json", SummaryJson(summary));
  {
    AtomicFile junit(m.dir + "/junit.xml");
    try {
      WriteJUnitXml(m.results_path, summary, m.wall_times_s, junit.stream(), m.options.junit);
    } catch (const std::ios::failure&) {
      throw core::InfrastructureError("cannot write " + m.dir + "/junit.xml (disk full?)");
    }
    junit.Commit();
  }
  if (m.options.report) {
    // the report's results: the samples and the worst instances, in plan order
    std::vector<scenarios::InstanceResult> shown;
    m.passing.MoveTo(&shown);
    m.failing.MoveTo(&shown);
    shown.insert(shown.end(), m.chosen.begin(), m.chosen.end());
    for (size_t i : WorstInstances(m.worst, m.options.report_cases)) shown.push_back(m.worst[i]);
    std::sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) { return a.plan_index < b.plan_index; });
    shown.erase(std::unique(shown.begin(), shown.end(),
                            [](const auto& a, const auto& b) { return a.plan_index == b.plan_index; }),
                shown.end());
    // per failing requirement of each family its worst instance (and the shrunk one), replayed with its trace
    HtmlReportOptions html;
    html.suite = &m.suite;
    html.tool_version = m.options.tool_version;
    std::vector<HtmlCase> cases;
    for (const CaseChoice& c : SelectCases(shown)) {
      try {
        cases.push_back(MakeHtmlCase(m.suite, scenarios::ReplayInstance(m.suite, shown[c.index]), m.dir,
                                     c.requirement, c.role));
      } catch (const core::InputError&) {
        // a line that cannot be replayed (results not made by this suite) is listed without its trace
      }
    }
    WriteFileAtomically(m.dir + "/report.html", RenderHtmlReport(summary, shown, cases, html));
  }
  return summary;
}

}  // namespace gauntlet::reports
