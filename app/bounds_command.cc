// `gauntlet bounds MODEL --box lo:hi,lo:hi,... [--method ibp|crown|bab]`: sound bounds of every output
// of MODEL over an input box, one `lo hi` line per output (printf %.17g), on stdout.
//
// ibp: interval bound propagation; crown (default): backward linear relaxation with intermediate
// bounds by CROWN; bab: crown refined by splitting the input box. Every method rounds outward, so
// the bounds contain the model's float64 forward pass at every input in the box.
// Exit codes: 0 success, 2 usage or input error, 3 internal error.

#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/commands.h"
#include "core/error.h"
#include "core/format.h"
#include "core/suggest.h"
#include "models/model.h"
#include "verifier/formal/bounds.h"
#include "verifier/formal/branch_and_bound.h"
#include "verifier/formal/graph_lowering.h"

namespace gauntlet::app {
namespace {

constexpr const char* kUsage = "usage: gauntlet bounds MODEL --box lo:hi,lo:hi,... [--method ibp|crown|bab]";

bool ParseNumber(const std::string& text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && std::isfinite(*out);
}

// "lo:hi,lo:hi,..." -> box; "" on success, else the problem.
std::string ParseBox(const std::string& text, verifier::formal::Box* box) {
  std::vector<double> lo, hi;
  size_t start = 0;
  int index = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t colon = item.find(':');
    double a = 0.0, b = 0.0;
    if (colon == std::string::npos || !ParseNumber(item.substr(0, colon), &a) ||
        !ParseNumber(item.substr(colon + 1), &b)) {
      return "--box item " + std::to_string(index) + " '" + item + "' is not 'lo:hi' with finite numbers";
    }
    if (a > b) return "--box item " + std::to_string(index) + " '" + item + "' has lo > hi";
    lo.push_back(a);
    hi.push_back(b);
    ++index;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  box->lo = Eigen::Map<Eigen::VectorXd>(lo.data(), static_cast<Eigen::Index>(lo.size()));
  box->hi = Eigen::Map<Eigen::VectorXd>(hi.data(), static_cast<Eigen::Index>(hi.size()));
  return "";
}

}  // namespace

int RunBoundsCommand(const std::vector<std::string>& argv) {
  Args args(argv, {{"box"}, {"method"}});
  if (!args.ok()) {
    std::cerr << "gauntlet bounds: " << args.error() << kUsage << '\n';
    return kExitUsage;
  }
  if (args.positional().size() != 1 || !args.Has("box")) {
    std::cerr << "gauntlet bounds: expected a model and --box\n" << kUsage << '\n';
    return kExitUsage;
  }
  const std::string method = args.Get("method").value_or("crown");
  const std::vector<std::string> methods = {"ibp", "crown", "bab"};
  if (method != "ibp" && method != "crown" && method != "bab") {
    std::cerr << "gauntlet bounds: unknown method '" << method << "'" << core::DidYouMean(method, methods)
              << "; expected " << core::QuotedList(methods) << '\n'
              << kUsage << '\n';
    return kExitUsage;
  }
  verifier::formal::Box box;
  if (const std::string problem = ParseBox(*args.Get("box"), &box); !problem.empty()) {
    std::cerr << "gauntlet bounds: " << problem << '\n' << kUsage << '\n';
    return kExitUsage;
  }
  try {
    const auto model = models::Model::LoadModel(args.positional()[0]);
    if (box.lo.size() != static_cast<Eigen::Index>(model->input_size())) {
      std::cerr << "gauntlet bounds: --box has " << box.lo.size() << " intervals but the model has "
                << model->input_size() << " inputs\n";
      return kExitUsage;
    }
    const verifier::formal::Network net = verifier::formal::LowerGraph(model->graph());
    verifier::formal::Box out;
    if (method == "bab") {
      out = verifier::formal::ComputeOutputBoundsBab(net, box);
    } else {
      out = verifier::formal::ComputeOutputBounds(
          net, box, method == "ibp" ? verifier::formal::BoundMethod::kIbp : verifier::formal::BoundMethod::kCrown);
    }
    for (Eigen::Index j = 0; j < out.lo.size(); ++j) {
      std::cout << core::FormatDouble17(out.lo[j]) << ' ' << core::FormatDouble17(out.hi[j]) << '\n';
    }
    return kExitPassed;
  } catch (const core::InputError& e) {
    std::cerr << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet bounds: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
}

}  // namespace gauntlet::app
