#pragma once
// Opening input files safely: one place that every reader of outside input goes through.
//
// A path given where an input file is expected may name a directory, a FIFO (which blocks a plain
// read forever), a device such as /dev/zero (endless), or a huge file. ReadInputFile opens the file
// without blocking, checks on the open descriptor (after links are resolved, so no race with a rename)
// that it is a regular file no larger than the limit of its kind, and reads it whole. Every problem is
// a core::InputError at the file (`path: error: ...`), which the CLI maps to exit code 2.
//
//   const std::string text = core::ReadInputFile(path, core::InputKind::kYaml);
//   // throws InputError "scenario.yaml: error: cannot read the file: it is a directory, not a file"
//
// Limits (docs/hardening.md "Input limits"): YAML 16 MiB, CSV traces 1 GiB, models (ONNX, .nnet and
// ONNX external data) 2 GiB, VNN-LIB 64 MiB, results.jsonl 4 GiB, run.json 1 MiB, XML (OpenDRIVE,
// OpenSCENARIO) 256 MiB.

#include <cstdint>
#include <string>
#include <string_view>

namespace gauntlet::core {

/// What a file is read as; each kind has its own size limit.
enum class InputKind {
  kYaml,          ///< scenarios, suites, catalogues, gate policies
  kCsv,           ///< traces
  kModel,         ///< ONNX and .nnet networks
  kExternalData,  ///< ONNX external tensor data
  kVnnlib,        ///< VNN-LIB properties
  kResults,       ///< results.jsonl
  kManifest,      ///< run.json
  kXml,           ///< OpenDRIVE .xodr, OpenSCENARIO .xosc, its catalogues and parameter variations
};

/// The largest file of `kind` ReadInputFile accepts, in bytes.
[[nodiscard]] uint64_t InputSizeLimit(InputKind kind);

/// What a file of `kind` is called in messages ("YAML file", "model file", "XML file", ...).
[[nodiscard]] std::string_view InputKindName(InputKind kind);

/// The whole content of the regular file `path` (links resolved). Throws core::InputError at `path`
/// when it does not exist (message `cannot_read`), or (message "<cannot_read>: it <why>") is a
/// directory, a FIFO, a device or a socket, cannot be read, or is larger than InputSizeLimit(kind):
/// "cannot read the file: it is a FIFO (named pipe), not a regular file".
[[nodiscard]] std::string ReadInputFile(const std::string& path, InputKind kind,
                                        std::string_view cannot_read = "cannot read the file");

/// The checks of ReadInputFile without reading, for readers that stream a file (results.jsonl): call
/// it right before opening the stream.
void CheckInputFile(const std::string& path, InputKind kind, std::string_view cannot_read = "cannot read the file");

/// Why `path` cannot be read as a file of `kind` ("does not exist", "is a directory, not a file", ...),
/// or "" if it is a regular file within the limit. For messages about a path named in another file.
[[nodiscard]] std::string InputFileProblem(const std::string& path, InputKind kind);

}  // namespace gauntlet::core
