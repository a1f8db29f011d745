// Reading an OpenSCENARIO XML file into a Scenario (see scenario.h and docs/openscenario.md).
//
// Every element is checked against the children it may have here; an unknown or unsupported child is
// an error at its position listing what is supported, an ignorable one (visual, environment, lights)
// a warning. Parameters are resolved while reading, in nested scopes: the file's globals (with
// overrides), a catalog entry's declarations (with the reference's assignments), a Story's or
// Maneuver's declarations.

#include "openscenario/scenario.h"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <set>
#include <tuple>

#include "core/input_file.h"
#include "core/suggest.h"
#include "openscenario/expression.h"
#include "openscenario/internal/nurbs.h"
#include "openscenario/internal/xml_file.h"

namespace gauntlet::openscenario {

std::string Warning::Format() const {
  const std::string where = pos.ToString();
  return (where.empty() ? "" : where + ": ") + "warning: " + message;
}

bool CompareNumbers(double a, double b, Rule rule) {
  constexpr double kSmall = 1e-10;
  switch (rule) {
    case Rule::kGreaterThan: return a > b + kSmall;
    case Rule::kGreaterOrEqual: return a >= b - kSmall;
    case Rule::kLessThan: return a < b - kSmall;
    case Rule::kLessOrEqual: return a <= b + kSmall;
    case Rule::kEqualTo: return std::fabs(a - b) < kSmall;
    case Rule::kNotEqualTo: return std::fabs(a - b) >= kSmall;
  }
  return false;
}

std::optional<double> ParseValue(const std::string& text) {
  if (text == "true") return 1.0;
  if (text == "false") return 0.0;
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

bool CompareValues(const std::string& a, const std::string& b, Rule rule) {
  const auto x = ParseValue(a), y = ParseValue(b);
  if (x && y) return CompareNumbers(*x, *y, rule);
  const int cmp = a.compare(b);
  switch (rule) {
    case Rule::kGreaterThan: return cmp > 0;
    case Rule::kGreaterOrEqual: return cmp >= 0;
    case Rule::kLessThan: return cmp < 0;
    case Rule::kLessOrEqual: return cmp <= 0;
    case Rule::kEqualTo: return cmp == 0;
    case Rule::kNotEqualTo: return cmp != 0;
  }
  return false;
}

int Scenario::FindEntity(const std::string& name) const {
  for (size_t i = 0; i < entities.size(); ++i)
    if (entities[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {

namespace fs = std::filesystem;
using internal::ParseXml;
using internal::ParseXmlShared;
using internal::XmlFile;

/// The road network of `path`, loaded once per content: the file is read every time and parsed only when
/// its bytes differ from those of the last load of `path` in this process (a scenario file whose world
/// is an .xosc loads it once per instance). A Network is immutable, so instances share it. Thread-safe.
std::shared_ptr<const opendrive::Network> SharedNetwork(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::string, std::shared_ptr<const opendrive::Network>>> loaded;
  std::string text = core::ReadInputFile(path, core::InputKind::kXml);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = loaded.find(path);
    if (it != loaded.end() && it->second.first == text) return it->second.second;
  }
  auto network = std::make_shared<const opendrive::Network>(opendrive::Network::LoadString(text, path));
  const std::lock_guard<std::mutex> lock(mutex);
  loaded[path] = {std::move(text), network};
  return network;
}

/// An element of one of the files.
struct Node {
  pugi::xml_node x;
  const XmlFile* file = nullptr;

  [[nodiscard]] std::string Name() const { return x.name(); }
  [[nodiscard]] core::SourcePos Pos() const { return file->Pos(x); }
  [[nodiscard]] Node Child(const char* name) const { return {x.child(name), file}; }
  [[nodiscard]] explicit operator bool() const { return static_cast<bool>(x); }
  [[nodiscard]] std::vector<Node> Children() const {
    std::vector<Node> out;
    for (pugi::xml_node c = x.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element) out.push_back({c, file});
    return out;
  }
  [[nodiscard]] std::vector<Node> Children(const char* name) const {
    std::vector<Node> out;
    for (pugi::xml_node c = x.child(name); c; c = c.next_sibling(name)) out.push_back({c, file});
    return out;
  }
};

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// A catalog entry: its element and the file it is in.
struct CatalogEntry {
  Node node;
};

class Reader {
 public:
  Reader(Scenario* sc, const std::vector<std::pair<std::string, std::string>>& overrides, const LoadOptions& options)
      : sc_(*sc), overrides_(overrides), options_(options) {}

  void Read(const std::string& path) {
    sc_.path = path;
    files_.push_back(ParseXmlShared(path));
    const XmlFile& main = *files_.back();
    dir_ = fs::path(path).parent_path();
    Node root{main.doc.document_element(), &main};
    if (!root || root.Name() != "OpenSCENARIO") {
      Error(root ? root.Pos() : core::SourcePos{path, 1, 1}, "the root element must be <OpenSCENARIO>");
      errors_.ThrowIfAny();
    }
    if (root.Child("ParameterValueDistribution")) {
      Error(root.Child("ParameterValueDistribution").Pos(),
            "ParameterValueDistribution: this is a parameter variation file, not a scenario (LoadParameterDistribution "
            "reads it; gauntlet play plays its scenario once per parameter set)");
      errors_.ThrowIfAny();
    }
    if (root.Child("Catalog")) {
      Error(root.Child("Catalog").Pos(), "this is a catalog file, not a scenario");
      errors_.ThrowIfAny();
    }
    Only(root, {"FileHeader", "ParameterDeclarations", "VariableDeclarations", "CatalogLocations", "RoadNetwork",
                "Entities", "Storyboard"});
    CheckVersion(root.Child("FileHeader"));
    scopes_.emplace_back();
    ReadParameterDeclarations(root.Child("ParameterDeclarations"), true);
    CheckOverrides();
    for (const auto& [name, value] : scopes_.back()) sc_.parameters.emplace_back(name, value);
    std::sort(sc_.parameters.begin(), sc_.parameters.end());
    ReadVariables(root.Child("VariableDeclarations"));
    ReadCatalogLocations(root.Child("CatalogLocations"));
    ReadRoadNetwork(root.Child("RoadNetwork"));
    ReadEntities(root.Child("Entities"));
    errors_.ThrowIfAny();  // the storyboard refers to entities by name
    ReadStoryboard(root.Child("Storyboard"));
    ResolveElementRefs();
    errors_.ThrowIfAny();
  }

 private:
  // ---- diagnostics --------------------------------------------------------------------------------
  void Error(const core::SourcePos& pos, const std::string& message) { errors_.Error(pos, message); }
  void Warn(const core::SourcePos& pos, const std::string& message) { sc_.warnings.push_back({pos, message}); }

  /// Checks that every child element of `n` is in `allowed` (or `ignored`: a warning each).
  void Only(const Node& n, const std::vector<std::string>& allowed, const std::vector<std::string>& ignored = {}) {
    for (const Node& c : n.Children()) {
      const std::string name = c.Name();
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      if (std::find(ignored.begin(), ignored.end(), name) != ignored.end()) {
        Warn(c.Pos(), name + " is ignored (it does not change how entities move)");
        continue;
      }
      Error(c.Pos(), name + " is not supported in " + n.Name() + "; supported: " + Join(allowed) +
                         (ignored.empty() ? "" : " (ignored with a warning: " + Join(ignored) + ")"));
    }
  }
  /// The one child of `n` among `choices` (an error if there is none or an unsupported one).
  Node Choice(const Node& n, const std::vector<std::string>& choices, const std::vector<std::string>& unsupported = {}) {
    std::vector<Node> kids = n.Children();
    for (const Node& c : kids) {
      const std::string name = c.Name();
      if (std::find(choices.begin(), choices.end(), name) != choices.end()) return c;
      if (std::find(unsupported.begin(), unsupported.end(), name) != unsupported.end() || true) {
        Error(c.Pos(), name + " is not supported in " + n.Name() + "; supported: " + Join(choices));
        return {};
      }
    }
    Error(n.Pos(), n.Name() + " needs one of: " + Join(choices));
    return {};
  }

  // ---- parameters ---------------------------------------------------------------------------------
  [[nodiscard]] std::optional<std::string> Lookup(std::string_view name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      const auto f = it->find(std::string(name));
      if (f != it->end()) return f->second;
    }
    return std::nullopt;
  }
  std::string Resolve(const Node& n, const std::string& text) {
    try {
      return ResolveAttribute(text, [this](std::string_view name) { return Lookup(name); });
    } catch (const ExpressionError& e) {
      Error(n.Pos(), std::string(n.Name()) + ": " + e.what());
      return "0";
    }
  }
  [[nodiscard]] bool Has(const Node& n, const char* attr) const { return static_cast<bool>(n.x.attribute(attr)); }
  std::string Str(const Node& n, const char* attr, std::optional<std::string> fallback = std::nullopt) {
    const pugi::xml_attribute a = n.x.attribute(attr);
    if (!a) {
      if (fallback) return *fallback;
      Error(n.Pos(), n.Name() + " needs the attribute '" + attr + "'");
      return "";
    }
    // esmini concatenates text in names (`${Name + _ + $x}`); a name that is no valid expression is kept
    // as written: names only label elements
    if (std::string_view(attr) == "name") {
      try {
        return ResolveAttribute(a.value(), [this](std::string_view p) { return Lookup(p); });
      } catch (const ExpressionError&) {
        return a.value();
      }
    }
    return Resolve(n, a.value());
  }
  double Num(const Node& n, const char* attr, std::optional<double> fallback = std::nullopt) {
    if (!Has(n, attr) && fallback) return *fallback;
    const std::string s = Str(n, attr);
    if (s.empty()) return 0.0;
    double v = 0.0;
    std::string_view t = s;
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) {
      if (s == "INF" || s == "inf" || s == "Infinity") return 1e300;
      Error(n.Pos(), n.Name() + ": attribute '" + attr + "' = '" + s + "' is not a number");
      return 0.0;
    }
    return v;
  }
  int Int(const Node& n, const char* attr, std::optional<int> fallback = std::nullopt) {
    const double v = Num(n, attr, fallback ? std::optional<double>(*fallback) : std::nullopt);
    if (v != std::floor(v) || std::fabs(v) > 1e9) {
      Error(n.Pos(), n.Name() + ": attribute '" + attr + "' must be an integer");
      return 0;
    }
    return static_cast<int>(v);
  }
  bool Bool(const Node& n, const char* attr, std::optional<bool> fallback = std::nullopt) {
    if (!Has(n, attr) && fallback) return *fallback;
    const std::string s = Str(n, attr);
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
    Error(n.Pos(), n.Name() + ": attribute '" + attr + "' = '" + s + "' is not true or false");
    return false;
  }
  template <typename E>
  E Enum(const Node& n, const char* attr, const std::vector<std::pair<std::string, E>>& values,
         std::optional<E> fallback = std::nullopt) {
    if (!Has(n, attr) && fallback) return *fallback;
    const std::string s = Str(n, attr);
    std::vector<std::string> names;
    for (const auto& [name, v] : values) {
      if (name == s) return v;
      names.push_back(name);
    }
    if (!s.empty() || Has(n, attr))
      Error(n.Pos(), n.Name() + ": " + attr + " = '" + s + "' is not supported; supported: " + Join(names) +
                         core::DidYouMean(s, names));
    return values.front().second;
  }

  /// A parameterRef/variableRef: a name, written as is (esmini also accepts a leading '$').
  std::string RefName(const Node& n, const char* attr) {
    std::string name = n.x.attribute(attr) ? std::string(n.x.attribute(attr).value()) : Str(n, attr);
    if (name.size() > 1 && name[0] == '$' && name[1] != '{') name.erase(0, 1);
    return name;
  }

  int minor_ = 0;  // the FileHeader's revMinor

  void CheckVersion(const Node& header) {
    if (!header) return;
    const int major = Int(header, "revMajor", 1);
    const int minor = Int(header, "revMinor", 0);
    minor_ = minor;
    if (major != 1 || minor > 3)
      Error(header.Pos(), "OpenSCENARIO " + std::to_string(major) + "." + std::to_string(minor) +
                              " is not supported; supported: 1.0, 1.1, 1.2, 1.3");
  }

  /// Reads declarations into the innermost scope. `global`: --param overrides apply.
  void ReadParameterDeclarations(const Node& decls, bool global,
                                 const std::map<std::string, std::string>* assigned = nullptr) {
    if (!decls) return;
    Only(decls, {"ParameterDeclaration"});
    for (const Node& d : decls.Children("ParameterDeclaration")) {
      Only(d, {"ConstraintGroup"});
      const std::string name = Str(d, "name");
      const std::string type = Str(d, "parameterType", "string");
      static const std::set<std::string> kTypes = {"integer", "double", "string", "boolean", "unsignedInt",
                                                   "unsignedShort", "dateTime", "int"};
      if (!kTypes.contains(type))
        Error(d.Pos(), "ParameterDeclaration: parameterType '" + type +
                           "' is not supported; supported: integer, double, string, boolean, unsignedInt, "
                           "unsignedShort, dateTime");
      // value is required by the schema; a declaration without one is accepted only when an override or a
      // catalog's ParameterAssignment supplies the value (never read as an empty string)
      std::optional<std::string> value;
      if (Has(d, "value")) value = Str(d, "value");
      if (global) {
        // an override (--param, a variation file's value) is an attribute value like the declaration's:
        // `${0.6 / 2 - 0.36}` or `$Other` are resolved against the parameters declared before it
        for (const auto& [k, v] : overrides_)
          if (k == name) value = Resolve(d, v);
      }
      if (assigned) {
        const auto it = assigned->find(name);
        if (it != assigned->end()) value = it->second;
      }
      if (!value) {
        Error(d.Pos(), "ParameterDeclaration '" + name + "' needs the attribute 'value'");
        value = "";
      }
      if (global) declared_globals_.insert(name);
      scopes_.back()[name] = *value;
      CheckConstraints(d, name, *value);
    }
  }
  /// ConstraintGroups (1.2): the value must meet every ValueConstraint of at least one group.
  void CheckConstraints(const Node& d, const std::string& name, const std::string& value) {
    const std::vector<Node> groups = d.Children("ConstraintGroup");
    if (groups.empty()) return;
    bool any = false;
    for (const Node& g : groups) {
      Only(g, {"ValueConstraint"});
      bool all = true;
      for (const Node& c : g.Children("ValueConstraint")) all = CompareValues(value, Str(c, "value"), ReadRule(c)) && all;
      any = any || all;
    }
    if (!any) Error(d.Pos(), "parameter '" + name + "' = '" + value + "' meets none of its ConstraintGroups");
  }
  void CheckOverrides() {
    std::vector<std::string> names(declared_globals_.begin(), declared_globals_.end());
    for (const auto& [k, v] : overrides_)
      if (!declared_globals_.contains(k))
        Error({sc_.path, 0, 0}, "--param " + k + ": the scenario declares no parameter '" + k + "'" +
                                    core::DidYouMean(k, names));
  }
  void ReadVariables(const Node& decls) {
    if (!decls) return;
    Only(decls, {"VariableDeclaration"});
    for (const Node& d : decls.Children("VariableDeclaration"))
      sc_.variables.emplace_back(Str(d, "name"), Str(d, "value", ""));
  }

  // ---- files --------------------------------------------------------------------------------------
  fs::path Relative(const std::string& p) const {
    const fs::path given(p);
    if (given.is_absolute()) return given;
    return dir_ / given;
  }

  void ReadCatalogLocations(const Node& locs) {
    if (!locs) return;
    const std::vector<std::string> kinds = {"VehicleCatalog",  "PedestrianCatalog", "MiscObjectCatalog",
                                            "ControllerCatalog", "ManeuverCatalog", "RouteCatalog",
                                            "TrajectoryCatalog", "EnvironmentCatalog"};
    Only(locs, kinds);
    for (const Node& kind : locs.Children()) {
      Only(kind, {"Directory"});
      const Node dir = kind.Child("Directory");
      if (!dir) {
        Error(kind.Pos(), kind.Name() + " needs a <Directory path=...>");
        continue;
      }
      const fs::path path = Relative(Str(dir, "path"));
      std::error_code ec;
      if (!fs::is_directory(path, ec)) {
        Warn(dir.Pos(), "catalog directory '" + path.string() + "' does not exist (a reference into it is an error)");
        continue;
      }
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(path, ec))
        if (e.path().extension() == ".xosc") files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        if (loaded_catalog_files_.contains(f.string())) continue;
        loaded_catalog_files_.insert(f.string());
        sc_.catalog_files.push_back(f.string());
        try {
          files_.push_back(ParseXmlShared(f.string()));
        } catch (const core::InputError& e) {
          errors_.Absorb(e);
          continue;
        }
        const XmlFile& file = *files_.back();
        const Node root{file.doc.document_element(), &file};
        const Node catalog = root.Child("Catalog");
        if (!catalog) continue;
        const std::string catalog_name = Str(catalog, "name", "");
        for (const Node& entry : catalog.Children()) {
          const std::string entry_name = Str(entry, "name", "");
          catalogs_[catalog_name].emplace(entry_name, CatalogEntry{entry});
        }
      }
    }
  }

  /// The entry a CatalogReference names, with a new parameter scope pushed (the caller pops it).
  std::optional<Node> EnterCatalogReference(const Node& ref, const std::vector<std::string>& kinds) {
    Only(ref, {"ParameterAssignments"});
    const std::string catalog = Str(ref, "catalogName");
    const std::string entry = Str(ref, "entryName");
    const auto c = catalogs_.find(catalog);
    if (c == catalogs_.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : catalogs_) names.push_back(k);
      Error(ref.Pos(), "CatalogReference: no catalog named '" + catalog + "' in the CatalogLocations" +
                           core::DidYouMean(catalog, names));
      return std::nullopt;
    }
    const auto e = c->second.find(entry);
    if (e == c->second.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : c->second) names.push_back(k);
      Error(ref.Pos(), "CatalogReference: catalog '" + catalog + "' has no entry '" + entry + "'" +
                           core::DidYouMean(entry, names));
      return std::nullopt;
    }
    const Node node = e->second.node;
    if (std::find(kinds.begin(), kinds.end(), node.Name()) == kinds.end()) {
      Error(ref.Pos(), "CatalogReference: entry '" + entry + "' is a " + node.Name() + ", expected " + Join(kinds));
      return std::nullopt;
    }
    std::map<std::string, std::string> assigned;
    if (const Node pa = ref.Child("ParameterAssignments")) {
      Only(pa, {"ParameterAssignment"});
      for (const Node& a : pa.Children("ParameterAssignment")) assigned[RefName(a, "parameterRef")] = Str(a, "value");
    }
    scopes_.emplace_back();
    const Node decls = node.Child("ParameterDeclarations");
    std::set<std::string> declared;
    if (decls)
      for (const Node& d : decls.Children("ParameterDeclaration")) declared.insert(Str(d, "name", ""));
    ReadParameterDeclarations(decls, false, &assigned);
    for (const auto& [k, v] : assigned)
      if (!declared.contains(k))
        Error(ref.Pos(), "ParameterAssignment: catalog entry '" + entry + "' declares no parameter '" + k + "'");
    return node;
  }

  void ReadRoadNetwork(const Node& rn) {
    sc_.roads = std::make_shared<const opendrive::Network>();
    if (!rn) return;
    Only(rn, {"LogicFile", "TrafficSignals"}, {"SceneGraphFile", "UsedArea"});
    ReadLogicFile(rn.Child("LogicFile"));
    if (const Node ts = rn.Child("TrafficSignals")) ReadTrafficSignals(ts);
  }
  void ReadLogicFile(const Node& logic) {
    if (!logic) return;
    const std::string file = Str(logic, "filepath");
    fs::path path = Relative(file);
    std::error_code ec;
    if (!fs::exists(path, ec) && fs::exists(fs::path(file), ec)) path = fs::path(file);
    if (!fs::exists(path, ec)) {
      Error(logic.Pos(), "LogicFile: the road network '" + file + "' does not exist (looked at " + path.string() + ")");
      return;
    }
    sc_.road_file = path.string();
    try {
      sc_.roads = SharedNetwork(path.string());
      for (const auto& [pos, message] : sc_.roads->warnings()) Warn(pos, message);
    } catch (const core::InputError& e) {
      errors_.Absorb(e);
    }
  }

  // ---- traffic signals ----------------------------------------------------------------------------
  /// The ids of the road network's signals (read from the .xodr once, when the scenario names one).
  const std::set<std::string>& SignalIds() {
    if (signal_ids_) return *signal_ids_;
    signal_ids_.emplace();
    if (sc_.road_file.empty()) return *signal_ids_;
    try {
      const std::unique_ptr<XmlFile> f = ParseXml(sc_.road_file);
      for (pugi::xml_node road : f->doc.document_element().children("road"))
        for (pugi::xml_node signal : road.child("signals").children("signal"))
          signal_ids_->insert(signal.attribute("id").value());
    } catch (const core::InputError&) {
      // the road network's own error is reported where it is loaded
    }
    return *signal_ids_;
  }
  /// A signal id must name a signal of the road network.
  void CheckSignal(const Node& n, const std::string& id) {
    if (sc_.road_file.empty()) {
      Error(n.Pos(), n.Name() + ": traffic signal '" + id + "' needs a road network (RoadNetwork LogicFile) holding it");
      return;
    }
    const std::set<std::string>& ids = SignalIds();
    if (!ids.contains(id))
      Error(n.Pos(), n.Name() + ": the road network has no signal '" + id + "'" +
                         core::DidYouMean(id, std::vector<std::string>(ids.begin(), ids.end())));
  }
  /// RoadNetwork TrafficSignals: controllers with their phases; a reference chain fixes each start.
  void ReadTrafficSignals(const Node& ts) {
    Only(ts, {"TrafficSignalController"});
    auto& ctrls = sc_.signal_controllers;
    for (const Node& c : ts.Children("TrafficSignalController")) {
      Only(c, {"Phase"});
      TrafficSignalController tc;
      tc.name = Str(c, "name");
      tc.pos = c.Pos();
      tc.reference = Str(c, "reference", "");
      tc.delay = Num(c, "delay", 0.0);
      if (tc.delay < 0) Error(c.Pos(), "TrafficSignalController: delay must not be negative");
      if (Has(c, "delay") && tc.reference.empty())
        Error(c.Pos(), "TrafficSignalController: a delay needs a reference (the controller it is delayed to)");
      if (std::any_of(ctrls.begin(), ctrls.end(), [&](const auto& o) { return o.name == tc.name; }))
        Error(c.Pos(), "TrafficSignalController: a second controller named '" + tc.name + "'");
      double total = 0.0;
      for (const Node& p : c.Children("Phase")) {
        Only(p, {"TrafficSignalState"});
        TrafficSignalController::Phase phase;
        phase.name = Str(p, "name");
        phase.duration = Num(p, "duration");
        if (phase.duration < 0) Error(p.Pos(), "Phase: duration must not be negative");
        if (std::any_of(tc.phases.begin(), tc.phases.end(), [&](const auto& o) { return o.name == phase.name; }))
          Error(p.Pos(), "Phase: a second phase named '" + phase.name + "' in controller '" + tc.name + "'");
        for (const Node& st : p.Children("TrafficSignalState")) {
          Only(st, {});
          phase.states.emplace_back(Str(st, "trafficSignalId"), Str(st, "state"));
          CheckSignal(st, phase.states.back().first);
        }
        total += std::max(phase.duration, 0.0);
        tc.phases.push_back(phase);
      }
      if (tc.phases.empty()) Error(c.Pos(), "TrafficSignalController needs at least one Phase");
      else if (!(total > 0)) Error(c.Pos(), "TrafficSignalController: the durations of its phases add up to 0");
      ctrls.push_back(tc);
    }
    // each controller's first phase starts its delay after its reference's first phase
    for (TrafficSignalController& tc : ctrls) {
      std::set<std::string> seen = {tc.name};
      const TrafficSignalController* at = &tc;
      tc.start = 0.0;
      while (!at->reference.empty()) {
        const int r = FindController(at->reference);
        if (r < 0) {
          std::vector<std::string> names;
          for (const auto& o : ctrls) names.push_back(o.name);
          Error(at->pos, "TrafficSignalController: no controller named '" + at->reference + "' to refer to" +
                             core::DidYouMean(at->reference, names));
          break;
        }
        tc.start += at->delay;
        at = &ctrls[static_cast<size_t>(r)];
        if (!seen.insert(at->name).second) {
          Error(tc.pos, "TrafficSignalController: the references of '" + tc.name + "' go round in a circle");
          break;
        }
      }
    }
  }
  int FindController(const std::string& name) const {
    for (size_t i = 0; i < sc_.signal_controllers.size(); ++i)
      if (sc_.signal_controllers[i].name == name) return static_cast<int>(i);
    return -1;
  }
  /// The controller and phase indices a trafficSignalControllerRef and phase name (-1 with an error).
  std::pair<int, int> FindPhase(const Node& n) {
    const std::string ref = Str(n, "trafficSignalControllerRef");
    const std::string phase = Str(n, "phase");
    const int c = FindController(ref);
    if (c < 0) {
      std::vector<std::string> names;
      for (const auto& o : sc_.signal_controllers) names.push_back(o.name);
      Error(n.Pos(), n.Name() + ": no TrafficSignalController named '" + ref + "' in the RoadNetwork" +
                         core::DidYouMean(ref, names));
      return {-1, -1};
    }
    const auto& phases = sc_.signal_controllers[static_cast<size_t>(c)].phases;
    std::vector<std::string> names;
    for (size_t i = 0; i < phases.size(); ++i) {
      if (phases[i].name == phase) return {c, static_cast<int>(i)};
      names.push_back(phases[i].name);
    }
    Error(n.Pos(), n.Name() + ": controller '" + ref + "' has no phase '" + phase + "'" + core::DidYouMean(phase, names));
    return {-1, -1};
  }
  /// InfrastructureAction: a TrafficSignalStateAction or TrafficSignalControllerAction.
  int ReadInfrastructureAction(const Node& k, const std::string& name) {
    Only(k, {"TrafficSignalAction"});
    const Node t = Choice(k, {"TrafficSignalAction"});
    const Node a = t ? Choice(t, {"TrafficSignalStateAction", "TrafficSignalControllerAction"}) : Node{};
    if (!a) return -1;
    Only(a, {});
    TrafficSignalAction out;
    if (a.Name() == "TrafficSignalStateAction") {
      out.signal = Str(a, "name");
      out.state = Str(a, "state");
      CheckSignal(a, out.signal);
    } else {
      std::tie(out.controller, out.phase) = FindPhase(a);
      if (out.controller < 0) return -1;
    }
    return AddAction({name, out, a.Pos()});
  }

  // ---- entities -----------------------------------------------------------------------------------
  void ReadEntities(const Node& ents) {
    if (!ents) return;
    Only(ents, {"ScenarioObject"}, {});
    for (const Node& so : ents.Children("ScenarioObject")) {
      Only(so, {"CatalogReference", "Vehicle", "Pedestrian", "MiscObject", "ObjectController"});
      Entity e;
      e.name = Str(so, "name");
      e.pos = so.Pos();
      if (sc_.FindEntity(e.name) >= 0) Error(so.Pos(), "ScenarioObject: a second entity named '" + e.name + "'");
      ControllerRef controller;
      if (const Node oc = so.Child("ObjectController")) controller = ReadController(oc);
      e.controller = controller.spec;
      Node body;
      bool pushed = false;
      if (const Node ref = so.Child("CatalogReference")) {
        if (auto entry = EnterCatalogReference(ref, {"Vehicle", "Pedestrian", "MiscObject"})) {
          body = *entry;
          pushed = true;
        } else {  // the error is reported; the entity keeps its place (and its controller's)
          sc_.entities.push_back(e);
          controllers_.push_back(controller);
          continue;
        }
      } else {
        for (const char* kind : {"Vehicle", "Pedestrian", "MiscObject"})
          if (so.Child(kind)) body = so.Child(kind);
      }
      if (!body) {
        if (!so.Child("CatalogReference")) Error(so.Pos(), "ScenarioObject needs a Vehicle, Pedestrian, MiscObject or CatalogReference");
      } else {
        ReadObjectBody(body, &e);
      }
      if (pushed) scopes_.pop_back();
      sc_.entities.push_back(e);
      controllers_.push_back(controller);
      AddInlineTrailers(so);
    }
  }
  // ---- trailers (OpenSCENARIO 1.3; esmini's ScenarioReader::parseOSCVehicle) -----------------------
  static constexpr int kInlineTrailer = -2;  ///< Entity::trailer while reading: the next entity
  static bool IsTrailer(const Entity& e) { return e.category == "Vehicle" && e.coupler && *e.coupler > 0; }
  /// A Vehicle's Trailer: a TrailerRef to an entity declared before, or an inline Trailer (a Vehicle or
  /// a CatalogReference to one) that becomes an entity of its own (towed_, added after the vehicle).
  void ReadTrailer(const Node& t, Entity* e) {
    const Node k = Choice(t, {"TrailerRef", "Trailer"});
    if (!k) return;
    const Entity* trailer = nullptr;
    Entity inline_trailer;
    if (k.Name() == "TrailerRef") {
      Only(k, {});
      if (Str(k, "entityRef", "").empty()) return;  // an empty reference (a catalog's default) attaches nothing
      e->trailer = EntityRef(k, "entityRef");
      if (e->trailer < 0) return;
      trailer = &sc_.entities[static_cast<size_t>(e->trailer)];
      for (const Entity& other : sc_.entities)
        if (other.trailer == e->trailer)
          Error(k.Pos(), "Trailer: '" + trailer->name + "' is already the trailer of '" + other.name + "'");
    } else {
      Only(k, {"Vehicle", "CatalogReference"});
      Node body = k.Child("Vehicle");
      bool pushed = false;
      if (const Node ref = k.Child("CatalogReference")) {
        const auto entry = EnterCatalogReference(ref, {"Vehicle"});
        if (!entry) return;
        body = *entry;
        pushed = true;
      }
      if (!body) {
        Error(k.Pos(), "Trailer needs a Vehicle or a CatalogReference");
        return;
      }
      if (towed_.size() >= 100) {  // esmini's limit; a catalog entry that tows itself would never end
        Error(k.Pos(), "Trailer: more than 100 trailers in a row (does a catalog entry tow itself?)");
        return;
      }
      const size_t slot = towed_.size();
      towed_.emplace_back();  // its own inline trailer follows it
      inline_trailer.pos = k.Pos();
      ReadObjectBody(body, &inline_trailer);
      if (pushed) scopes_.pop_back();
      towed_[slot] = inline_trailer;
      e->trailer = kInlineTrailer;
      trailer = &inline_trailer;
    }
    if (!e->hitch) Error(t.Pos(), "Trailer: the towing vehicle needs a TrailerHitch");
    if (!IsTrailer(*trailer)) Error(k.Pos(), "Trailer: the trailer needs to be a Vehicle with a TrailerCoupler at dx > 0");
  }
  /// Adds the inline trailers read with the entity just added (esmini names each "<tow>+").
  void AddInlineTrailers(const Node& so) {
    for (Entity& t : towed_) {
      Entity& tow = sc_.entities.back();
      tow.trailer = static_cast<int>(sc_.entities.size());
      t.name = tow.name + "+";
      if (sc_.FindEntity(t.name) >= 0) Error(so.Pos(), "ScenarioObject: a second entity named '" + t.name + "' (a trailer)");
      sc_.entities.push_back(t);
      controllers_.push_back({});
    }
    towed_.clear();
  }
  /// The esmini controller of an ObjectController or AssignControllerAction child: its type (its
  /// `esminiController` property, else the controller's name, as esmini picks it) when it is one of
  /// esmini's controllers that drive, "" otherwise (esmini's DefaultController, or a type esmini does not
  /// know and ignores: the entity moves exactly as its actions say); `spec` indexes Scenario::controllers
  /// when the player simulates it (ACCController, ALKSController), else -1.
  struct ControllerRef {
    std::string type;
    int spec = -1;
  };
  ControllerRef ReadController(const Node& holder) {
    Only(holder, {"Controller", "CatalogReference", "ObjectController"});
    Node c = holder.Child("Controller");
    bool pushed = false;
    if (!c) {
      if (const Node ref = holder.Child("CatalogReference")) {
        if (auto entry = EnterCatalogReference(ref, {"Controller"})) {
          c = *entry;
          pushed = true;
        }
      }
    }
    ControllerRef out;
    if (c) {
      out.type = Str(c, "name", "");
      if (const Node props = c.Child("Properties"))
        for (const Node& prop : props.Children("Property"))
          if (Str(prop, "name", "") == "esminiController") out.type = Str(prop, "value", "");
    }
    // esmini builds only the controller types it knows; any other one (DefaultController included)
    // leaves the entity to its actions
    static const std::set<std::string> kDriving = {
        "ExternalController", "FollowGhostController", "FollowRouteController", "InteractiveController",
        "SloppyDriverController", "SumoController", "ACCController", "ALKSController", "ALKS_R157SM_Controller",
        "ECE_ALKS_RefDriverController", "ControllerRel2Abs", "OffroadFollower", "NaturalDriver",
        "FollowReferenceController", "UDPDriverController", "HIDController", "LoomingController",
        "ExternalDriverModelController"};
    if (!kDriving.contains(out.type)) out.type.clear();
    // with --disable-controllers no controller is built (esmini's --disable_controllers), so its
    // properties do not matter
    if (!options_.disable_controllers &&
        (out.type == "ACCController" || out.type == "ALKSController" || out.type == "ALKS_R157SM_Controller"))
      out.spec = ReadControllerProperties(c, out.type);
    if (pushed) scopes_.pop_back();
    return out;
  }
  /// The properties of a simulated controller. ACCController and ALKSController (esmini's ALKS
  /// controller is its ACC controller): mode (default additive), timeGap, setSpeed, lateralDist; esmini's
  /// `virtual` (acceleration only) is refused. ALKS_R157SM_Controller: model (Regulation; the others are
  /// refused), mode (default override), cruise, fullStop, logLevel (esmini's log only); the
  /// ReferenceDriver model's properties are warnings. Any other property is a warning (esmini does not
  /// read it).
  int ReadControllerProperties(const Node& c, const std::string& type) {
    const bool r157 = type == "ALKS_R157SM_Controller";
    ControllerSpec spec;
    spec.type = type;
    spec.pos = c.Pos();
    spec.override_mode = r157;
    static const std::set<std::string> kReferenceDriverOnly = {
        "cutInPerceptionDelayMode", "pedestrianRiskEvaluationTime", "aebTTC", "lateralTrigDistance",
        "overlapTolerance", "alwaysTrigOnScenario"};
    const std::string supported = r157 ? "model, mode, cruise, fullStop, logLevel" : "mode, timeGap, setSpeed, lateralDist";
    bool model = false;
    if (const Node props = c.Child("Properties")) {
      Only(props, {"Property", "File"}, {});
      for (const Node& prop : props.Children("Property")) {
        const std::string key = Str(prop, "name", "");
        if (key == "esminiController") continue;
        if (key == "mode") {
          spec.override_mode = Enum<bool>(prop, "value", {{"override", true}, {"additive", false}});
        } else if (!r157 && key == "timeGap") {
          spec.time_gap = Num(prop, "value");
        } else if (!r157 && key == "setSpeed") {
          spec.set_speed = Num(prop, "value");
        } else if (!r157 && key == "lateralDist") {
          spec.lateral_dist = Num(prop, "value");
        } else if (!r157 && key == "virtual") {
          if (Bool(prop, "value")) Error(prop.Pos(), type + ": property 'virtual' = true is not supported (the controller "
                                                           "would report an acceleration only; supported: false)");
        } else if (r157 && key == "model") {
          model = true;
          const std::string m = Str(prop, "value");
          if (m != "Regulation")
            Error(prop.Pos(), type + ": model '" + m + "' is not supported (simulated: Regulation; esmini's "
                                   "ReferenceDriver, RSS and FSM models are not)");
        } else if (r157 && key == "cruise") {
          const std::string v = Str(prop, "value");
          if (v == "true" || v == "True") spec.cruise = true;
          else if (v == "false" || v == "False") spec.cruise = false;
          else Warn(prop.Pos(), type + ": property 'cruise' = '" + v + "' is ignored (esmini reads true or false)");
        } else if (r157 && key == "fullStop") {
          spec.full_stop = Str(prop, "value") == "true";
        } else if (r157 && key == "logLevel") {
          (void)Str(prop, "value");  // esmini's log only
        } else if (r157 && kReferenceDriverOnly.contains(key)) {
          Warn(prop.Pos(), type + ": property '" + key + "' is ignored (esmini reads it for the ReferenceDriver model "
                                  "only)");
        } else {
          Warn(prop.Pos(), type + ": property '" + key + "' is ignored (esmini does not read it; supported: " +
                               supported + ")");
        }
      }
      for (const Node& file : props.Children("File")) Warn(file.Pos(), type + ": a property File is ignored");
    }
    if (r157 && !model) Error(c.Pos(), type + " needs the property 'model' (simulated: Regulation)");
    if (spec.time_gap < 0) Error(c.Pos(), type + ": timeGap must not be negative");
    sc_.controllers.push_back(spec);
    return static_cast<int>(sc_.controllers.size()) - 1;
  }
  /// A controller action on the actors. A controller that does not drive (esmini's DefaultController,
  /// or none) is ignored with a warning; one the player simulates becomes a ControllerAction; any other
  /// controller that drives is an error.
  int ReadControllerAction(const Node& k, const std::string& name) {
    if (options_.disable_controllers) return Ignored(k, name, "controllers are disabled");
    Node activate = k.Name() == "ActivateControllerAction" ? k : k.Child("ActivateControllerAction");
    const auto refuse = [this](const Node& at, const std::string& what) {
      Error(at.Pos(), what + " is not supported (simulated: ACCController, ALKSController, ALKS_R157SM_Controller; "
                             "esmini's DefaultController leaves the entity to its actions)");
      return -1;
    };
    ControllerAction out;
    bool simulated = false;
    if (k.Name() == "ControllerAction") {
      Only(k, {"ActivateControllerAction", "AssignControllerAction"}, {});
      if (const Node o = k.Child("OverrideControllerValueAction")) {
        Error(o.Pos(), "OverrideControllerValueAction is not supported: controllers are not simulated");
        return -1;
      }
      if (const Node assign = k.Child("AssignControllerAction")) {
        const ControllerRef ref = ReadController(assign);
        const bool activates = Bool(assign, "activateLateral", false) || Bool(assign, "activateLongitudinal", false);
        if (!ref.type.empty() && ref.spec < 0 && activates)
          return refuse(assign, "AssignControllerAction: controller '" + ref.type + "'");
        for (int a : actors_) assigned_[a] = ref;
        if (ref.spec >= 0) {
          simulated = true;
          out.assign = ref.spec;
          if (Has(assign, "activateLongitudinal")) out.longitudinal = Bool(assign, "activateLongitudinal");
          if (Has(assign, "activateLateral")) out.lateral = Bool(assign, "activateLateral");
        }
      }
    }
    if (activate) {
      for (int a : actors_) {
        const auto it = assigned_.find(a);
        const ControllerRef ref = it != assigned_.end() ? it->second : controllers_[static_cast<size_t>(a)];
        if (!ref.type.empty() && ref.spec < 0)
          return refuse(activate, "ActivateControllerAction: controller '" + ref.type + "' of '" +
                                      sc_.entities[static_cast<size_t>(a)].name + "'");
        simulated = simulated || ref.spec >= 0;
      }
      if (simulated) {
        if (Has(activate, "longitudinal")) out.longitudinal = Bool(activate, "longitudinal");
        if (Has(activate, "lateral")) out.lateral = Bool(activate, "lateral");
      }
    }
    if (!simulated)
      return Ignored(k, name, "no controller that drives the entity is assigned; it moves as its actions say");
    if (out.lateral.value_or(false))
      Warn((activate ? activate : k).Pos(), "the lateral domain is not activated: ACCController, ALKSController and "
                                            "ALKS_R157SM_Controller drive the longitudinal domain only (as esmini); "
                                            "the entity keeps its lane as its actions say");
    return AddAction({name, out, k.Pos()});
  }
  void ReadObjectBody(const Node& body, Entity* e) {
    e->category = body.Name();
    e->front_axle_x = -1.0;  // until a vehicle's FrontAxle gives it
    if (body.Name() == "Vehicle") {
      Only(body, {"ParameterDeclarations", "BoundingBox", "Performance", "Axles", "Properties", "TrailerHitch",
                  "TrailerCoupler", "Trailer"});
      for (const char* kind : {"TrailerHitch", "TrailerCoupler"})
        if (const Node h = body.Child(kind)) {
          Only(h, {});
          (std::string_view(kind) == "TrailerHitch" ? e->hitch : e->coupler) = Num(h, "dx");
        }
      if (const Node perf = body.Child("Performance")) {
        e->max_speed = Num(perf, "maxSpeed", 1e300);
        e->max_acceleration = Num(perf, "maxAcceleration", 1e300);
        e->max_deceleration = Num(perf, "maxDeceleration", 1e300);
        if (e->max_acceleration <= 0) e->max_acceleration = 1e300;
        if (e->max_deceleration <= 0) e->max_deceleration = 1e300;
      }
      if (const Node axles = body.Child("Axles"))
        if (const Node front = axles.Child("FrontAxle")) e->front_axle_x = Num(front, "positionX", 0.0);
      if (const Node trailer = body.Child("Trailer")) ReadTrailer(trailer, e);
    } else if (body.Name() == "Pedestrian") {
      Only(body, {"ParameterDeclarations", "BoundingBox", "Properties"});
    } else {
      Only(body, {"ParameterDeclarations", "BoundingBox", "Properties"});
    }
    const Node bb = body.Child("BoundingBox");
    if (!bb) {
      Error(body.Pos(), body.Name() + " needs a BoundingBox");
      return;
    }
    Only(bb, {"Center", "Dimensions"});
    const Node c = bb.Child("Center");
    const Node d = bb.Child("Dimensions");
    if (!c || !d) {
      Error(bb.Pos(), "BoundingBox needs Center and Dimensions");
      return;
    }
    e->box = {Num(c, "x"), Num(c, "y"), Num(c, "z"), Num(d, "length"), Num(d, "width"), Num(d, "height")};
    if (e->front_axle_x < 0) e->front_axle_x = e->box.length / 2;  // no front axle given: the box's half length
    if (e->box.length < 0 || e->box.width < 0) Error(d.Pos(), "Dimensions must not be negative");
  }

  int EntityRef(const Node& n, const char* attr) {
    const std::string name = Str(n, attr);
    const int i = sc_.FindEntity(name);
    if (i < 0 && (!name.empty() || n.x.attribute(attr))) {  // present but empty ("$owner" = ""): no entity
      std::vector<std::string> names;
      for (const auto& e : sc_.entities) names.push_back(e.name);
      Error(n.Pos(), n.Name() + ": no entity named '" + name + "'" + core::DidYouMean(name, names));
    }
    return i;
  }
  std::string EntityName(const Node& n, const char* attr) {
    const int i = EntityRef(n, attr);
    return i < 0 ? std::string() : sc_.entities[static_cast<size_t>(i)].name;
  }

  // ---- positions ----------------------------------------------------------------------------------
  void ReadOrientation(const Node& parent, Position* p) {
    const Node o = parent.Child("Orientation");
    if (!o) return;
    Only(o, {});
    p->orientation_h = Num(o, "h", 0.0);
    p->orientation_relative = Str(o, "type", "relative") == "relative";
    const std::string type = Str(o, "type", "relative");
    if (type != "relative" && type != "absolute")
      Error(o.Pos(), "Orientation: type '" + type + "' is not supported; supported: relative, absolute");
  }
  /// A <Position> element (its one child).
  Position ReadPosition(const Node& pos) {
    Position p;
    p.pos = pos.Pos();
    const Node k = Choice(pos, {"WorldPosition", "RelativeWorldPosition", "RelativeObjectPosition", "RoadPosition",
                                "RelativeRoadPosition", "LanePosition", "RelativeLanePosition", "RoutePosition",
                                "TrajectoryPosition"});
    if (!k) return p;
    p.pos = k.Pos();
    const std::string kind = k.Name();
    if (kind == "RoutePosition") return ReadRoutePosition(k, p);
    if (kind == "TrajectoryPosition") return ReadTrajectoryPosition(k, p);
    if (kind == "WorldPosition") {
      Only(k, {});
      p.kind = Position::Kind::kWorld;
      p.x = Num(k, "x");
      p.y = Num(k, "y");
      p.z = Num(k, "z", 0.0);
      if (Has(k, "h")) p.h = Num(k, "h");
      return p;
    }
    if (kind == "LanePosition" || kind == "RoadPosition") {
      Only(k, {"Orientation"});
      ReadOrientation(k, &p);
      p.road = Str(k, "roadId");
      p.s = Num(k, "s");
      if (kind == "LanePosition") {
        p.kind = Position::Kind::kLane;
        p.lane = Int(k, "laneId");
        p.offset = Num(k, "offset", 0.0);
      } else {
        p.kind = Position::Kind::kRoad;
        p.t = Num(k, "t");
      }
      CheckRoad(k, p.road);
      return p;
    }
    // relative kinds
    p.entity = EntityName(k, "entityRef");
    if (kind == "RelativeWorldPosition") {
      Only(k, {"Orientation"});
      ReadOrientation(k, &p);
      p.kind = Position::Kind::kRelativeWorld;
      p.x = Num(k, "dx");
      p.y = Num(k, "dy");
    } else if (kind == "RelativeObjectPosition") {
      Only(k, {"Orientation"});
      ReadOrientation(k, &p);
      p.kind = Position::Kind::kRelativeObject;
      p.x = Num(k, "dx");
      p.y = Num(k, "dy");
    } else if (kind == "RelativeRoadPosition") {
      Only(k, {"Orientation"});
      ReadOrientation(k, &p);
      p.kind = Position::Kind::kRelativeRoad;
      p.s = Num(k, "ds");
      p.t = Num(k, "dt");
    } else {
      Only(k, {"Orientation"});
      ReadOrientation(k, &p);
      p.kind = Position::Kind::kRelativeLane;
      p.lane = Int(k, "dLane");
      if (Has(k, "dsLane")) {
        p.ds_lane = true;
        p.s = Num(k, "dsLane");
      } else {
        p.s = Num(k, "ds", 0.0);
      }
      p.offset = Num(k, "offset", 0.0);
    }
    return p;
  }
  /// A TrajectoryPosition: `s` along a Polyline trajectory (inline or from a catalog), `t` to its left.
  Position ReadTrajectoryPosition(const Node& k, Position p) {
    Only(k, {"TrajectoryRef", "Orientation"});
    ReadOrientation(k, &p);
    p.kind = Position::Kind::kTrajectory;
    p.s = Num(k, "s");
    p.t = Num(k, "t", 0.0);
    const Node tr = k.Child("TrajectoryRef");
    const Node c = tr ? Choice(tr, {"Trajectory", "CatalogReference"}) : Node{};
    if (!tr) Error(k.Pos(), "TrajectoryPosition needs a TrajectoryRef");
    if (!c) return p;
    FollowTrajectoryAction f;
    if (c.Name() == "Trajectory") {
      ReadTrajectory(c, &f, false);
    } else if (auto entry = EnterCatalogReference(c, {"Trajectory"})) {
      ReadTrajectory(*entry, &f, true);
      scopes_.pop_back();
    }
    if (f.clothoid || !f.spline.empty() || !f.nurbs.empty()) {
      p.trajectory = std::make_shared<const FollowTrajectoryAction>(std::move(f));
    } else {
      for (const Vertex& v : f.vertices) p.route.push_back(v.position);
    }
    return p;
  }
  Position ReadRoutePosition(const Node& k, Position p) {
    Only(k, {"RouteRef", "Orientation", "InRoutePosition"});
    // esmini reads the children in file order and places the entity when it reads InRoutePosition, so an
    // Orientation written after it (out of the schema's order) does not turn the entity: ignored, with a warning.
    const Node orientation = k.Child("Orientation"), in_route = k.Child("InRoutePosition");
    if (orientation && in_route &&
        std::pair(in_route.Pos().line, in_route.Pos().col) < std::pair(orientation.Pos().line, orientation.Pos().col)) {
      Warn(orientation.Pos(), "RoutePosition: an Orientation after InRoutePosition is ignored (the schema puts it "
                              "before; esmini ignores it there too)");
    } else {
      ReadOrientation(k, &p);
    }
    p.kind = Position::Kind::kRoute;
    const Node ref = k.Child("RouteRef");
    const Node in = k.Child("InRoutePosition");
    if (!ref || !in) {
      Error(k.Pos(), "RoutePosition needs RouteRef and InRoutePosition");
      return p;
    }
    AssignRouteAction route;
    const Node r = Choice(ref, {"Route", "CatalogReference"});
    if (r && r.Name() == "Route") {
      ReadRoute(r, &route, false);
    } else if (r) {
      if (auto entry = EnterCatalogReference(r, {"Route"})) {
        ReadRoute(*entry, &route, true);
        scopes_.pop_back();
      }
    }
    p.route = route.waypoints;
    const Node c = Choice(in, {"FromLaneCoordinates", "FromRoadCoordinates"});
    if (!c) return p;
    Only(c, {});
    p.s = Num(c, "pathS");
    if (c.Name() == "FromLaneCoordinates") {
      p.lane = Int(c, "laneId");
      p.offset = Num(c, "laneOffset", 0.0);
    } else {
      p.route_t = true;
      p.t = Num(c, "t");
    }
    if (sc_.road_file.empty()) Error(k.Pos(), "RoutePosition needs a road network (RoadNetwork/LogicFile)");
    return p;
  }
  void CheckRoad(const Node& n, const std::string& road) {
    if (sc_.road_file.empty()) {
      Error(n.Pos(), n.Name() + " needs a road network (RoadNetwork/LogicFile)");
      return;
    }
    if (!sc_.roads->roads().empty() && !sc_.roads->FindRoad(road))
      Error(n.Pos(), n.Name() + ": the road network has no road '" + road + "'");
  }

  // ---- storyboard ---------------------------------------------------------------------------------
  void ReadStoryboard(const Node& sb) {
    if (!sb) {
      Error({sc_.path, 0, 0}, "the scenario has no Storyboard");
      return;
    }
    Only(sb, {"Init", "Story", "StopTrigger"});
    if (const Node init = sb.Child("Init")) ReadInit(init);
    for (const Node& story : sb.Children("Story")) sc_.stories.push_back(ReadStory(story));
    if (const Node st = sb.Child("StopTrigger")) sc_.stop_trigger = ReadTrigger(st);
  }
  void ReadInit(const Node& init) {
    Only(init, {"Actions"});
    const Node actions = init.Child("Actions");
    if (!actions) return;
    Only(actions, {"GlobalAction", "Private"}, {});
    for (const Node& c : actions.Children()) {
      if (c.Name() == "GlobalAction") {
        const int a = ReadGlobalAction(c, "init");
        if (a >= 0) sc_.init.push_back({-1, a});
      } else if (c.Name() == "Private") {
        Only(c, {"PrivateAction"});
        const int entity = EntityRef(c, "entityRef");
        actors_ = entity >= 0 ? std::vector<int>{entity} : std::vector<int>{};
        for (const Node& pa : c.Children("PrivateAction")) {
          const int a = ReadPrivateAction(pa, "init");
          if (a >= 0 && entity >= 0) sc_.init.push_back({entity, a});
        }
      }
    }
  }
  int NewElement(ElementType type, const Node& n, int parent) {
    Element e;
    e.type = type;
    e.name = Str(n, "name", "");
    e.parent = parent;
    e.pos = n.Pos();
    sc_.elements.push_back(e);
    const int index = static_cast<int>(sc_.elements.size()) - 1;
    if (parent >= 0) sc_.elements[static_cast<size_t>(parent)].children.push_back(index);
    return index;
  }
  Element& El(int i) { return sc_.elements[static_cast<size_t>(i)]; }

  int ReadStory(const Node& n) {
    Only(n, {"ParameterDeclarations", "Act"});
    scopes_.emplace_back();
    ReadParameterDeclarations(n.Child("ParameterDeclarations"), false);
    const int story = NewElement(ElementType::kStory, n, -1);
    for (const Node& act : n.Children("Act")) {
      Only(act, {"ManeuverGroup", "StartTrigger", "StopTrigger"});
      const int a = NewElement(ElementType::kAct, act, story);
      for (const Node& mg : act.Children("ManeuverGroup")) ReadManeuverGroup(mg, a);
      if (const Node t = act.Child("StartTrigger")) {
        Trigger tr = ReadTrigger(t);
        El(a).start_trigger = tr;
      }
      if (const Node t = act.Child("StopTrigger")) {
        Trigger tr = ReadTrigger(t);
        El(a).stop_trigger = tr;
      }
    }
    scopes_.pop_back();
    return story;
  }
  int ExecutionCount(const Node& n) {
    const double v = Num(n, "maximumExecutionCount", 1.0);
    if (v < 1 || v != std::floor(v)) {
      Error(n.Pos(), n.Name() + ": maximumExecutionCount must be an integer >= 1");
      return 1;
    }
    return v > 1e9 ? -1 : static_cast<int>(v);
  }
  void ReadManeuverGroup(const Node& n, int act) {
    Only(n, {"Actors", "CatalogReference", "Maneuver"});
    const int mg = NewElement(ElementType::kManeuverGroup, n, act);
    El(mg).max_executions = ExecutionCount(n);
    if (const Node actors = n.Child("Actors")) {
      Only(actors, {"EntityRef"});
      if (Bool(actors, "selectTriggeringEntities", false))
        Error(actors.Pos(), "Actors: selectTriggeringEntities=\"true\" is not supported; name the actors with EntityRef");
      for (const Node& r : actors.Children("EntityRef")) {
        const int e = EntityRef(r, "entityRef");
        if (e >= 0) El(mg).actors.push_back(e);
      }
      actors_ = El(mg).actors;
    } else {
      Error(n.Pos(), "ManeuverGroup needs Actors");
    }
    for (const Node& c : n.Children()) {
      if (c.Name() == "Maneuver") {
        ReadManeuver(c, mg, false);
      } else if (c.Name() == "CatalogReference") {
        if (auto entry = EnterCatalogReference(c, {"Maneuver"})) {
          ReadManeuver(*entry, mg, true);
          scopes_.pop_back();
        }
      }
    }
  }
  /// `from_catalog`: the entry's declarations are already in scope, with the reference's assignments.
  void ReadManeuver(const Node& n, int mg, bool from_catalog) {
    Only(n, {"ParameterDeclarations", "Event"});
    scopes_.emplace_back();
    if (!from_catalog) ReadParameterDeclarations(n.Child("ParameterDeclarations"), false);
    const int m = NewElement(ElementType::kManeuver, n, mg);
    for (const Node& ev : n.Children("Event")) {
      Only(ev, {"Action", "StartTrigger"});
      const int e = NewElement(ElementType::kEvent, ev, m);
      El(e).max_executions = ExecutionCount(ev);
      const std::string prio = Str(ev, "priority", "override");
      if (prio == "overwrite" || prio == "override") {
        El(e).priority = Priority::kOverride;
      } else if (prio == "skip") {
        El(e).priority = Priority::kSkip;
      } else if (prio == "parallel") {
        El(e).priority = Priority::kParallel;
      } else {
        Error(ev.Pos(), "Event: priority '" + prio + "' is not supported; supported: override, overwrite, skip, parallel");
      }
      for (const Node& act : ev.Children("Action")) {
        Only(act, {"GlobalAction", "PrivateAction", "UserDefinedAction"});
        const int a = NewElement(ElementType::kAction, act, e);
        int index = -1;
        if (const Node g = act.Child("GlobalAction")) {
          index = ReadGlobalAction(g, El(a).name);
        } else if (const Node p = act.Child("PrivateAction")) {
          index = ReadPrivateAction(p, El(a).name);
        } else if (const Node u = act.Child("UserDefinedAction")) {
          Error(u.Pos(), "UserDefinedAction is not supported (it runs a command outside the scenario)");
        } else {
          Error(act.Pos(), "Action needs a GlobalAction or PrivateAction");
        }
        El(a).action = index;
      }
      if (const Node t = ev.Child("StartTrigger")) {
        Trigger tr = ReadTrigger(t);
        El(e).start_trigger = tr;
      }
    }
    scopes_.pop_back();
  }

  int AddAction(Action a) {
    sc_.actions.push_back(std::move(a));
    return static_cast<int>(sc_.actions.size()) - 1;
  }
  int Ignored(const Node& n, const std::string& name, const std::string& why) {
    Warn(n.Pos(), n.Name() + " is ignored (" + why + ")");
    return AddAction({name, IgnoredAction{n.Name()}, n.Pos()});
  }

  int ReadGlobalAction(const Node& g, const std::string& name) {
    const Node k = Choice(g, {"ParameterAction", "VariableAction", "EnvironmentAction", "InfrastructureAction",
                              "SetMonitorAction"});
    if (!k) return -1;
    const std::string kind = k.Name();
    if (kind == "EnvironmentAction") return Ignored(k, name, "the environment does not change how entities move");
    if (kind == "InfrastructureAction") return ReadInfrastructureAction(k, name);
    if (kind == "SetMonitorAction") return Ignored(k, name, "monitors are not simulated");
    SetValueAction s;
    s.variable = kind == "VariableAction";
    s.name = RefName(k, s.variable ? "variableRef" : "parameterRef");
    Only(k, {"SetAction", "ModifyAction"});
    if (const Node set = k.Child("SetAction")) {
      Only(set, {});
      s.op = SetValueAction::Op::kSet;
      s.value = Str(set, "value");
    } else if (const Node mod = k.Child("ModifyAction")) {
      Only(mod, {"Rule"});
      const Node rule = mod.Child("Rule");
      const Node r = rule ? Choice(rule, {"AddValue", "MultiplyByValue"}) : Node{};
      if (!r) {
        if (!rule) Error(mod.Pos(), "ModifyAction needs a Rule");
        return -1;
      }
      s.op = r.Name() == "AddValue" ? SetValueAction::Op::kAdd : SetValueAction::Op::kMultiply;
      s.value = Str(r, "value");
    } else {
      Error(k.Pos(), kind + " needs a SetAction or ModifyAction");
      return -1;
    }
    if (!s.variable && !Lookup(s.name)) Error(k.Pos(), kind + ": no parameter named '" + s.name + "'");
    if (s.variable && std::none_of(sc_.variables.begin(), sc_.variables.end(),
                                   [&](const auto& v) { return v.first == s.name; }))
      Error(k.Pos(), kind + ": no variable named '" + s.name + "'");
    return AddAction({name, s, k.Pos()});
  }

  Dynamics ReadDynamics(const Node& d) {
    Dynamics out;
    out.shape = Enum<Shape>(d, "dynamicsShape",
                            {{"step", Shape::kStep}, {"linear", Shape::kLinear}, {"cubic", Shape::kCubic},
                             {"sinusoidal", Shape::kSinusoidal}});
    out.dimension = Enum<Dimension>(d, "dynamicsDimension",
                                    {{"time", Dimension::kTime}, {"rate", Dimension::kRate},
                                     {"distance", Dimension::kDistance}});
    // esmini ignores the sign (a deceleration is often written as a negative rate)
    out.value = std::fabs(Num(d, "value"));
    if (Has(d, "followingMode") && Str(d, "followingMode") != "position")
      Error(d.Pos(), "followingMode '" + Str(d, "followingMode") + "' is not supported; supported: position");
    return out;
  }

  /// DynamicConstraints: the attributes given (the player limits them by the entity's Performance).
  DynamicConstraints ReadConstraints(const Node& n) {
    Only(n, {});
    DynamicConstraints c;
    auto opt = [&](const char* attr) { return Has(n, attr) ? std::optional<double>(Num(n, attr)) : std::nullopt; };
    c.max_acceleration = opt("maxAcceleration");
    c.max_deceleration = opt("maxDeceleration");
    c.max_speed = opt("maxSpeed");
    c.max_acceleration_rate = opt("maxAccelerationRate");
    c.max_deceleration_rate = opt("maxDecelerationRate");
    return c;
  }
  int ReadSpeedProfile(const Node& n, const std::string& name) {
    Only(n, {"DynamicConstraints", "EntityRef", "SpeedProfileEntry"});
    SpeedProfileAction sp;
    // esmini: a missing followingMode is position
    sp.follow = Enum<bool>(n, "followingMode", {{"position", false}, {"follow", true}}, false);
    if (const Node c = n.Child("DynamicConstraints")) sp.constraints = ReadConstraints(c);
    if (const Node r = n.Child("EntityRef")) {
      Only(r, {});
      sp.entity = EntityName(r, "entityRef");
    }
    for (const Node& e : n.Children("SpeedProfileEntry")) {
      Only(e, {});
      SpeedProfileAction::Entry entry;
      entry.speed = Num(e, "speed");
      if (Has(e, "time")) {
        entry.time = Num(e, "time");
        if (*entry.time < 0) Error(e.Pos(), "SpeedProfileEntry: time must not be negative");
      }
      sp.entries.push_back(entry);
    }
    if (sp.entries.empty()) {
      Error(n.Pos(), "SpeedProfileAction needs at least one SpeedProfileEntry");
      return -1;
    }
    return AddAction({name, sp, n.Pos()});
  }
  int ReadLongitudinalDistance(const Node& n, const std::string& name) {
    Only(n, {"DynamicConstraints"});
    LongitudinalDistanceAction d;
    d.entity = EntityName(n, "entityRef");
    if (Has(n, "distance") == Has(n, "timeGap")) {
      Error(n.Pos(), "LongitudinalDistanceAction needs exactly one of distance and timeGap");
      return -1;
    }
    d.time_gap = Has(n, "timeGap");
    d.value = Num(n, d.time_gap ? "timeGap" : "distance");
    d.freespace = Bool(n, "freespace", false);
    d.continuous = Bool(n, "continuous", false);
    using D = LongitudinalDistanceAction::Displacement;
    if (minor_ >= 1) {
      // OpenSCENARIO 1.1: the side comes from displacement, the value is a size (esmini)
      d.displacement = Enum<D>(n, "displacement",
                               {{"trailingReferencedEntity", D::kTrailing}, {"leadingReferencedEntity", D::kLeading},
                                {"any", D::kAny}},
                               D::kTrailing);
      d.value = std::fabs(d.value);
    } else {
      if (Has(n, "displacement")) Error(n.Pos(), "LongitudinalDistanceAction: displacement needs OpenSCENARIO 1.1 or later");
      d.displacement = D::kNone;
    }
    d.coordinate_system = ReadCoordinateSystem(n);
    if (const Node c = n.Child("DynamicConstraints")) d.constraints = ReadConstraints(c);
    return AddAction({name, d, n.Pos()});
  }

  int ReadLateralDistance(const Node& n, const std::string& name) {
    Only(n, {"DynamicConstraints"});
    LateralDistanceAction d;
    d.entity = EntityName(n, "entityRef");
    if (Has(n, "distance")) {
      d.distance = Num(n, "distance");
      if (*d.distance < 0) Error(n.Pos(), "LateralDistanceAction: distance must not be negative");
    }
    d.freespace = Bool(n, "freespace");
    d.continuous = Bool(n, "continuous");
    using D = LateralDistanceAction::Displacement;
    d.displacement = Enum<D>(n, "displacement",
                             {{"any", D::kAny}, {"leftToReferencedEntity", D::kLeft}, {"rightToReferencedEntity", D::kRight}},
                             D::kAny);
    if (Str(n, "coordinateSystem", "entity") == "trajectory")
      Error(n.Pos(), "LateralDistanceAction: coordinateSystem 'trajectory' is not supported; supported: entity, road, lane");
    else
      d.coordinate_system = ReadCoordinateSystem(n);
    if (const Node c = n.Child("DynamicConstraints")) d.constraints = ReadConstraints(c);
    return AddAction({name, d, n.Pos()});
  }

  /// TrailerAction: ConnectTrailerAction (trailerRef) or DisconnectTrailerAction, on actors with a hitch.
  int ReadTrailerAction(const Node& k, const std::string& name) {
    const Node c = Choice(k, {"ConnectTrailerAction", "DisconnectTrailerAction"});
    if (!c) return -1;
    Only(c, {});
    TrailerAction out;
    if (c.Name() == "ConnectTrailerAction") {
      const int t = EntityRef(c, "trailerRef");
      if (t < 0) return -1;
      const Entity& trailer = sc_.entities[static_cast<size_t>(t)];
      if (!IsTrailer(trailer))
        Error(c.Pos(), "ConnectTrailerAction: '" + trailer.name + "' needs to be a Vehicle with a TrailerCoupler at dx > 0");
      if (std::find(actors_.begin(), actors_.end(), t) != actors_.end())
        Error(c.Pos(), "ConnectTrailerAction: '" + trailer.name + "' cannot tow itself");
      out.trailer = trailer.name;
    }
    for (int a : actors_)
      if (!sc_.entities[static_cast<size_t>(a)].hitch)
        Error(c.Pos(), c.Name() + ": '" + sc_.entities[static_cast<size_t>(a)].name + "' needs a TrailerHitch");
    return AddAction({name, out, c.Pos()});
  }
  int ReadPrivateAction(const Node& pa, const std::string& name) {
    const Node k = Choice(pa, {"LongitudinalAction", "LateralAction", "TeleportAction", "RoutingAction",
                               "SynchronizeAction", "VisibilityAction", "AppearanceAction", "ControllerAction",
                               "ActivateControllerAction", "TrailerAction"});
    if (!k) return -1;
    const std::string kind = k.Name();
    if (kind == "VisibilityAction") return Ignored(k, name, "visibility does not change how entities move");
    if (kind == "AppearanceAction") return Ignored(k, name, "lights and animations do not change how entities move");
    if (kind == "ControllerAction" || kind == "ActivateControllerAction") return ReadControllerAction(k, name);
    if (kind == "TrailerAction") return ReadTrailerAction(k, name);
    if (kind == "TeleportAction") {
      Only(k, {"Position"});
      const Node p = k.Child("Position");
      if (!p) {
        Error(k.Pos(), "TeleportAction needs a Position");
        return -1;
      }
      return AddAction({name, TeleportAction{ReadPosition(p)}, k.Pos()});
    }
    if (kind == "LongitudinalAction") {
      const Node sa = Choice(k, {"SpeedAction", "LongitudinalDistanceAction", "SpeedProfileAction"});
      if (!sa) return -1;
      if (sa.Name() == "LongitudinalDistanceAction") return ReadLongitudinalDistance(sa, name);
      if (sa.Name() == "SpeedProfileAction") return ReadSpeedProfile(sa, name);
      Only(sa, {"SpeedActionDynamics", "SpeedActionTarget"});
      SpeedAction s;
      const Node dyn = sa.Child("SpeedActionDynamics");
      const Node target = sa.Child("SpeedActionTarget");
      if (!dyn || !target) {
        Error(sa.Pos(), "SpeedAction needs SpeedActionDynamics and SpeedActionTarget");
        return -1;
      }
      Only(dyn, {});
      s.dynamics = ReadDynamics(dyn);
      const Node t = Choice(target, {"AbsoluteTargetSpeed", "RelativeTargetSpeed"});
      if (!t) return -1;
      Only(t, {});
      s.value = Num(t, "value");
      if (t.Name() == "RelativeTargetSpeed") {
        s.relative = true;
        s.entity = EntityName(t, "entityRef");
        s.factor = Enum<bool>(t, "speedTargetValueType", {{"delta", false}, {"factor", true}});
        s.continuous = Bool(t, "continuous", false);
      }
      return AddAction({name, s, sa.Pos()});
    }
    if (kind == "LateralAction") {
      const Node la = Choice(k, {"LaneChangeAction", "LaneOffsetAction", "LateralDistanceAction"});
      if (!la) return -1;
      if (la.Name() == "LateralDistanceAction") return ReadLateralDistance(la, name);
      if (la.Name() == "LaneChangeAction") {
        Only(la, {"LaneChangeActionDynamics", "LaneChangeTarget"});
        LaneChangeAction l;
        l.target_offset = Num(la, "targetLaneOffset", 0.0);
        const Node dyn = la.Child("LaneChangeActionDynamics");
        const Node target = la.Child("LaneChangeTarget");
        if (!dyn || !target) {
          Error(la.Pos(), "LaneChangeAction needs LaneChangeActionDynamics and LaneChangeTarget");
          return -1;
        }
        Only(dyn, {});
        l.dynamics = ReadDynamics(dyn);
        const Node t = Choice(target, {"RelativeTargetLane", "AbsoluteTargetLane"});
        if (!t) return -1;
        Only(t, {});
        if (t.Name() == "RelativeTargetLane") {
          l.relative = true;
          l.entity = EntityName(t, "entityRef");
          l.value = Int(t, "value");
        } else {
          l.value = Int(t, "value");
        }
        return AddAction({name, l, la.Pos()});
      }
      Only(la, {"LaneOffsetActionDynamics", "LaneOffsetTarget"});
      LaneOffsetAction o;
      o.continuous = Bool(la, "continuous", false);
      const Node dyn = la.Child("LaneOffsetActionDynamics");
      const Node target = la.Child("LaneOffsetTarget");
      if (!dyn || !target) {
        Error(la.Pos(), "LaneOffsetAction needs LaneOffsetActionDynamics and LaneOffsetTarget");
        return -1;
      }
      Only(dyn, {});
      o.shape = Enum<Shape>(dyn, "dynamicsShape",
                            {{"step", Shape::kStep}, {"linear", Shape::kLinear}, {"cubic", Shape::kCubic},
                             {"sinusoidal", Shape::kSinusoidal}});
      // esmini: 0.5 m/s^2 when not given, at least its SMALL_NUMBER
      o.max_lateral_acc = std::max(Num(dyn, "maxLateralAcc", 0.5), 1e-10);
      const Node t = Choice(target, {"RelativeTargetLaneOffset", "AbsoluteTargetLaneOffset"});
      if (!t) return -1;
      Only(t, {});
      o.value = Num(t, "value");
      if (t.Name() == "RelativeTargetLaneOffset") {
        o.relative = true;
        o.entity = EntityName(t, "entityRef");
      }
      return AddAction({name, o, la.Pos()});
    }
    if (kind == "RoutingAction") {
      const Node r = Choice(k, {"AssignRouteAction", "FollowTrajectoryAction", "AcquirePositionAction"});
      if (!r) return -1;
      if (r.Name() == "AcquirePositionAction") {
        Only(r, {"Position"});
        if (!r.Child("Position")) {
          Error(r.Pos(), "AcquirePositionAction needs a Position");
          return -1;
        }
        return AddAction({name, AcquirePositionAction{ReadPosition(r.Child("Position"))}, r.Pos()});
      }
      if (r.Name() == "AssignRouteAction") {
        Only(r, {"Route", "CatalogReference"});
        AssignRouteAction a;
        if (const Node route = r.Child("Route")) {
          ReadRoute(route, &a, false);
        } else if (const Node ref = r.Child("CatalogReference")) {
          if (auto entry = EnterCatalogReference(ref, {"Route"})) {
            ReadRoute(*entry, &a, true);
            scopes_.pop_back();
          }
        }
        return AddAction({name, a, r.Pos()});
      }
      return ReadFollowTrajectory(r, name);
    }
    // SynchronizeAction
    Only(k, {"TargetPositionMaster", "TargetPosition", "FinalSpeed"});
    SynchronizeAction s;
    s.master = EntityName(k, "masterEntityRef");
    s.tolerance = Num(k, "targetTolerance", 0.0);
    s.tolerance_master = Num(k, "targetToleranceMaster", 0.0);
    const Node tm = k.Child("TargetPositionMaster");
    const Node tp = k.Child("TargetPosition");
    if (!tm || !tp) {
      Error(k.Pos(), "SynchronizeAction needs TargetPositionMaster and TargetPosition");
      return -1;
    }
    s.master_target = ReadPositionLike(tm);
    s.target = ReadPositionLike(tp);
    if (const Node fs = k.Child("FinalSpeed")) ReadSyncFinalSpeed(fs, &s);
    return AddAction({name, s, k.Pos()});
  }
  /// SynchronizeAction FinalSpeed: absolute or relative to the master, with an optional steady state.
  void ReadSyncFinalSpeed(const Node& fs, SynchronizeAction* out) {
    SynchronizeAction& s = *out;
    const Node f = Choice(fs, {"AbsoluteSpeed", "RelativeSpeedToMaster"});
    if (f) {
      Only(f, {"SteadyState", "TargetDistanceSteadyState", "TargetTimeSteadyState", "TargetPositionSteadyState"});
      if (f.Name() == "AbsoluteSpeed") {
        s.final_speed = Num(f, "value");
      } else {
        const std::string type = Str(f, "speedTargetValueType", "delta");
        if (type != "delta" && type != "factor")
          Error(f.Pos(), "RelativeSpeedToMaster: speedTargetValueType '" + type + "' is not one of: delta, factor");
        s.final_speed_factor = type == "factor";
        s.final_speed_relative = Num(f, "value");
      }
      // 1.0 puts the steady state directly under the speed, 1.1+ in a SteadyState element
      const Node ss = f.Child("SteadyState") ? f.Child("SteadyState") : f;
      if (ss.x != f.x) Only(ss, {"TargetDistanceSteadyState", "TargetTimeSteadyState", "TargetPositionSteadyState"});
      if ((ss.Child("TargetDistanceSteadyState") || ss.Child("TargetTimeSteadyState") ||
           ss.Child("TargetPositionSteadyState")) &&
          s.final_speed && *s.final_speed < 1e-10)
        Error(f.Pos(), "SynchronizeAction: a steady state needs a positive final speed");
      if (const Node sp = ss.Child("TargetPositionSteadyState")) s.steady_position = ReadPositionLike(sp);
      if (ss.Child("TargetDistanceSteadyState") || ss.Child("TargetTimeSteadyState")) {
        const Node st = ss.Child("TargetDistanceSteadyState") ? ss.Child("TargetDistanceSteadyState")
                                                              : ss.Child("TargetTimeSteadyState");
        if (st && st.Name() == "TargetDistanceSteadyState") s.steady_distance = Num(st, "distance");
        if (st && st.Name() == "TargetTimeSteadyState") s.steady_time = Num(st, "time");
      }
    }
  }
  /// TargetPosition-like elements: either a Position's children directly (1.0 style) or a Position.
  Position ReadPositionLike(const Node& n) {
    if (const Node p = n.Child("Position")) return ReadPosition(p);
    return ReadPosition(n);
  }
  void ReadRoute(const Node& route, AssignRouteAction* a, bool from_catalog) {
    Only(route, {"ParameterDeclarations", "Waypoint"});
    scopes_.emplace_back();
    if (!from_catalog) ReadParameterDeclarations(route.Child("ParameterDeclarations"), false);
    for (const Node& w : route.Children("Waypoint")) {
      Only(w, {"Position"});
      if (const Node p = w.Child("Position")) a->waypoints.push_back(ReadPosition(p));
    }
    scopes_.pop_back();
    if (a->waypoints.size() < 2) Error(route.Pos(), "Route needs at least two Waypoints");
  }

  int ReadFollowTrajectory(const Node& r, const std::string& name) {
    Only(r, {"Trajectory", "TrajectoryRef", "CatalogReference", "TimeReference", "TrajectoryFollowingMode"});
    FollowTrajectoryAction f;
    f.initial_distance_offset = Num(r, "initialDistanceOffset", 0.0);
    Node traj = r.Child("Trajectory");
    int pushed = 0;
    Node ref = r.Child("CatalogReference");
    if (const Node tr = r.Child("TrajectoryRef")) {
      Only(tr, {"Trajectory", "CatalogReference"});
      if (tr.Child("Trajectory")) traj = tr.Child("Trajectory");
      ref = tr.Child("CatalogReference");
    }
    if (!traj && ref) {
      if (auto entry = EnterCatalogReference(ref, {"Trajectory"})) {
        traj = *entry;
        pushed = 1;
      }
    }
    if (traj) {
      ReadTrajectory(traj, &f, pushed != 0);
    } else if (!ref) {
      Error(r.Pos(), "FollowTrajectoryAction needs a Trajectory");
    }
    if (pushed) scopes_.pop_back();
    if (const Node tref = r.Child("TimeReference")) {
      const Node t = Choice(tref, {"None", "Timing"});
      if (t && t.Name() == "Timing") {
        Only(t, {});
        f.timing = true;
        f.timing_absolute = Enum<bool>(t, "domainAbsoluteRelative", {{"absolute", true}, {"relative", false}});
        f.timing_scale = Num(t, "scale", 1.0);
        f.timing_offset = Num(t, "offset", 0.0);
      }
    } else {
      Error(r.Pos(), "FollowTrajectoryAction needs a TimeReference");
    }
    if (const Node fm = r.Child("TrajectoryFollowingMode")) {
      Only(fm, {});
      const std::string mode = Str(fm, "followingMode");
      if (mode != "position" && mode != "follow")
        Error(fm.Pos(), "TrajectoryFollowingMode: followingMode '" + mode + "' is not supported; supported: position, follow");
    }
    return AddAction({name, f, r.Pos()});
  }
  void ReadTrajectory(const Node& traj, FollowTrajectoryAction* f, bool from_catalog) {
    Only(traj, {"ParameterDeclarations", "Shape"});
    scopes_.emplace_back();
    if (!from_catalog) ReadParameterDeclarations(traj.Child("ParameterDeclarations"), false);
    f->name = Str(traj, "name", "");
    if (Bool(traj, "closed", false)) Error(traj.Pos(), "Trajectory: closed=\"true\" is not supported");
    const Node shape = traj.Child("Shape");
    const Node k = shape ? Choice(shape, {"Polyline", "Clothoid", "ClothoidSpline", "Nurbs"}) : Node{};
    if (!shape) Error(traj.Pos(), "Trajectory needs a Shape");
    if (k && k.Name() == "Polyline") {
      Only(k, {"Vertex"});
      for (const Node& v : k.Children("Vertex")) {
        Only(v, {"Position"});
        Vertex vx;
        if (Has(v, "time")) vx.time = Num(v, "time");
        if (const Node p = v.Child("Position")) vx.position = ReadPosition(p);
        f->vertices.push_back(vx);
      }
      if (f->vertices.size() < 2) Error(k.Pos(), "Polyline needs at least two Vertex elements");
    } else if (k && k.Name() == "Clothoid") {
      Only(k, {"Position"});
      const double c0 = Num(k, "curvature");
      const double c1 = Has(k, "curvaturePrime") ? Num(k, "curvaturePrime") : Num(k, "curvatureDot", 0.0);
      const double length = Num(k, "length");
      const Node p = k.Child("Position");
      if (!p) {
        Error(k.Pos(), "Clothoid needs a start Position");
      } else if (length <= 0) {
        Error(k.Pos(), "Clothoid: length must be positive");
      } else {
        Vertex start{Has(k, "startTime") ? std::optional<double>(Num(k, "startTime")) : std::nullopt, ReadPosition(p)};
        f->vertices.push_back(start);
        f->clothoid = FollowTrajectoryAction::Clothoid{c0, c1, length,
                                                       Has(k, "stopTime") ? std::optional<double>(Num(k, "stopTime"))
                                                                          : std::nullopt};
      }
    } else if (k && k.Name() == "ClothoidSpline") {
      ReadClothoidSpline(k, f);
    } else if (k && k.Name() == "Nurbs") {
      ReadNurbs(k, f);
    }
    scopes_.pop_back();
  }
  void ReadNurbs(const Node& k, FollowTrajectoryAction* f) {
    Only(k, {"ControlPoint", "Knot"});
    f->nurbs_order = Int(k, "order");
    size_t timed = 0;
    for (const Node& c : k.Children("ControlPoint")) {
      Only(c, {"Position"});
      FollowTrajectoryAction::NurbsPoint pt;
      pt.weight = Num(c, "weight", 1.0);
      if (!(pt.weight > 0)) Error(c.Pos(), "ControlPoint: weight must be positive");
      if (Has(c, "time")) {
        pt.time = Num(c, "time");
        ++timed;
      }
      if (const Node p = c.Child("Position")) pt.position = ReadPosition(p);
      else Error(c.Pos(), "ControlPoint needs a Position");
      f->nurbs.push_back(pt);
    }
    for (const Node& kn : k.Children("Knot")) {
      Only(kn, {});
      f->knots.push_back(Num(kn, "value"));
    }
    if (timed != 0 && timed != f->nurbs.size()) Error(k.Pos(), "Nurbs: give a time on every ControlPoint or on none");
    const std::string problem = internal::CheckNurbs(f->nurbs.size(), f->knots, f->nurbs_order);
    if (!problem.empty()) Error(k.Pos(), "Nurbs: " + problem);
  }
  void ReadClothoidSpline(const Node& k, FollowTrajectoryAction* f) {
    Only(k, {"ClothoidSplineSegment"});
    if (Has(k, "timeEnd")) f->spline_time_end = Num(k, "timeEnd");
    size_t timed = 0;
    for (const Node& seg : k.Children("ClothoidSplineSegment")) {
      Only(seg, {"PositionStart"});
      FollowTrajectoryAction::ClothoidSegment c;
      c.curvature_start = Num(seg, "curvatureStart");
      c.curvature_end = Num(seg, "curvatureEnd");
      c.length = Num(seg, "length");
      c.h_offset = Num(seg, "hOffset", 0.0);
      if (c.length <= 0) Error(seg.Pos(), "ClothoidSplineSegment: length must be positive");
      if (Has(seg, "timeStart")) {
        c.time_start = Num(seg, "timeStart");
        if (timed > 0 && f->spline.back().time_start && *c.time_start < *f->spline.back().time_start)
          Error(seg.Pos(), "ClothoidSplineSegment: timeStart must not be before the previous segment's");
        ++timed;
      }
      if (const Node ps = seg.Child("PositionStart")) c.start = ReadPositionLike(ps);
      f->spline.push_back(c);
    }
    if (f->spline.empty()) {
      Error(k.Pos(), "ClothoidSpline needs at least one ClothoidSplineSegment");
    } else if ((timed != 0 && timed != f->spline.size()) || (timed != 0) != f->spline_time_end.has_value()) {
      Error(k.Pos(), "ClothoidSpline: give timeStart on every segment and timeEnd, or no times at all");
    } else if (timed != 0 && *f->spline_time_end < *f->spline.back().time_start) {
      Error(k.Pos(), "ClothoidSpline: timeEnd must not be before the last segment's timeStart");
    }
  }

  // ---- triggers -----------------------------------------------------------------------------------
  Trigger ReadTrigger(const Node& t) {
    Only(t, {"ConditionGroup"});
    Trigger tr;
    for (const Node& g : t.Children("ConditionGroup")) {
      Only(g, {"Condition"});
      std::vector<int> group;
      for (const Node& c : g.Children("Condition")) {
        const int i = ReadCondition(c);
        if (i >= 0) group.push_back(i);
      }
      tr.groups.push_back(group);
    }
    return tr;
  }
  Rule ReadRule(const Node& n) {
    return Enum<Rule>(n, "rule",
                      {{"greaterThan", Rule::kGreaterThan}, {"greaterOrEqual", Rule::kGreaterOrEqual},
                       {"lessThan", Rule::kLessThan}, {"lessOrEqual", Rule::kLessOrEqual},
                       {"equalTo", Rule::kEqualTo}, {"notEqualTo", Rule::kNotEqualTo}});
  }
  /// `coordinateSystem` (default entity); lane and road need a road network.
  CoordinateSystem ReadCoordinateSystem(const Node& n) {
    const CoordinateSystem cs = Enum<CoordinateSystem>(
        n, "coordinateSystem",
        {{"entity", CoordinateSystem::kEntity}, {"lane", CoordinateSystem::kLane}, {"road", CoordinateSystem::kRoad}},
        CoordinateSystem::kEntity);
    if ((cs == CoordinateSystem::kLane || cs == CoordinateSystem::kRoad) && sc_.road_file.empty())
      Error(n.Pos(), n.Name() + ": coordinateSystem lane/road needs a road network");
    return cs;
  }
  void ReadDistanceKind(const Node& n, Condition* c) {
    c->coordinate_system = ReadCoordinateSystem(n);
    c->distance_type = Enum<DistanceType>(n, "relativeDistanceType",
                                          {{"longitudinal", DistanceType::kLongitudinal},
                                           {"lateral", DistanceType::kLateral},
                                           {"cartesianDistance", DistanceType::kEuclidean},
                                           {"euclidianDistance", DistanceType::kEuclidean},
                                           {"euclideanDistance", DistanceType::kEuclidean}},
                                          DistanceType::kEuclidean);
  }
  /// The kind, value, rule, freespace and distance kind of a distance-like condition.
  void ReadDistanceComparison(const Node& v, Condition::Kind kind, Condition* c) {
    c->kind = kind;
    c->value = Num(v, "value");
    c->rule = ReadRule(v);
    c->freespace = Bool(v, "freespace");
    ReadDistanceKind(v, c);
  }
  /// A TimeToCollisionCondition: its rule, distance kind and target (an entity or a position).
  void ReadTimeToCollision(const Node& v, Condition* out) {
    Condition& c = *out;
    Only(v, {"TimeToCollisionConditionTarget"});
    ReadDistanceComparison(v, Condition::Kind::kTimeToCollision, &c);
    if (!Has(v, "relativeDistanceType")) c.distance_type = DistanceType::kEuclidean;
    const Node t = v.Child("TimeToCollisionConditionTarget");
    const Node tt = t ? Choice(t, {"EntityRef", "Position"}) : Node{};
    if (!t) Error(v.Pos(), "TimeToCollisionCondition needs a TimeToCollisionConditionTarget");
    if (tt && tt.Name() == "EntityRef") c.entity = EntityName(tt, "entityRef");
    if (tt && tt.Name() == "Position") c.position = ReadPosition(tt);
  }
  /// A RelativeClearanceCondition's distances, lane range and entities.
  void ReadClearance(const Node& v, Condition* out) {
    Condition& c = *out;
    Only(v, {"RelativeLaneRange", "EntityRef"});
    c.kind = Condition::Kind::kRelativeClearance;
    c.forward = Num(v, "distanceForward", 0.0);
    c.backward = Num(v, "distanceBackward", 0.0);
    c.freespace = Bool(v, "freeSpace");
    c.opposite_lanes = Bool(v, "oppositeLanes");
    if (sc_.road_file.empty()) Error(v.Pos(), "RelativeClearanceCondition needs a road network");
    const std::vector<Node> ranges = v.Children("RelativeLaneRange");
    if (ranges.size() > 1) Error(ranges[1].Pos(), "RelativeClearanceCondition: only one RelativeLaneRange is supported");
    if (!ranges.empty()) {
      Only(ranges[0], {});
      c.lane_from = Int(ranges[0], "from", -1000);
      c.lane_to = Int(ranges[0], "to", 1000);
      if (c.lane_from > c.lane_to) Error(ranges[0].Pos(), "RelativeLaneRange: from is greater than to");
    }
    for (const Node& r : v.Children("EntityRef")) {
      Only(r, {});
      c.refs.push_back(EntityName(r, "entityRef"));
    }
  }
  int ReadCondition(const Node& n) {
    Condition c;
    c.name = Str(n, "name", "");
    c.delay = Num(n, "delay", 0.0);
    c.pos = n.Pos();
    if (c.delay < 0) Error(n.Pos(), "Condition: delay must not be negative");
    c.edge = Enum<Edge>(n, "conditionEdge",
                        {{"none", Edge::kNone}, {"rising", Edge::kRising}, {"falling", Edge::kFalling},
                         {"risingOrFalling", Edge::kRisingOrFalling}});
    const Node k = Choice(n, {"ByValueCondition", "ByEntityCondition"});
    if (!k) return -1;
    if (k.Name() == "ByValueCondition") {
      const Node v = Choice(k, {"SimulationTimeCondition", "StoryboardElementStateCondition", "ParameterCondition",
                                "VariableCondition", "TrafficSignalCondition", "TrafficSignalControllerCondition"});
      if (!v) return -1;
      Only(v, {});
      c.pos = v.Pos();
      const std::string kind = v.Name();
      if (kind == "SimulationTimeCondition") {
        c.kind = Condition::Kind::kSimulationTime;
        c.value = Num(v, "value");
        c.rule = ReadRule(v);
      } else if (kind == "StoryboardElementStateCondition") {
        c.kind = Condition::Kind::kStoryboardElementState;
        c.element_type = Enum<ElementType>(v, "storyboardElementType",
                                           {{"story", ElementType::kStory}, {"act", ElementType::kAct},
                                            {"maneuverGroup", ElementType::kManeuverGroup},
                                            {"maneuver", ElementType::kManeuver}, {"event", ElementType::kEvent},
                                            {"action", ElementType::kAction}});
        c.element_ref = Str(v, "storyboardElementRef");
        c.state = Enum<ElementState>(v, "state",
                                     {{"standbyState", ElementState::kStandby}, {"runningState", ElementState::kRunning},
                                      {"completeState", ElementState::kComplete},
                                      {"startTransition", ElementState::kStartTransition},
                                      {"endTransition", ElementState::kEndTransition},
                                      {"stopTransition", ElementState::kStopTransition},
                                      {"skipTransition", ElementState::kSkipTransition}});
      } else if (kind == "TrafficSignalCondition") {
        c.kind = Condition::Kind::kTrafficSignal;
        c.entity = Str(v, "name");
        c.text_value = Str(v, "state");
        CheckSignal(v, c.entity);
      } else if (kind == "TrafficSignalControllerCondition") {
        c.kind = Condition::Kind::kTrafficSignalController;
        c.entity = Str(v, "trafficSignalControllerRef");
        c.text_value = Str(v, "phase");
        if (FindPhase(v).first < 0) return -1;
      } else {
        c.kind = kind == "ParameterCondition" ? Condition::Kind::kParameter : Condition::Kind::kVariable;
        c.entity = RefName(v, kind == "ParameterCondition" ? "parameterRef" : "variableRef");
        c.text_value = Str(v, "value");
        c.rule = ReadRule(v);
        if (c.kind == Condition::Kind::kParameter && !Lookup(c.entity))
          Error(v.Pos(), "ParameterCondition: no parameter named '" + c.entity + "'");
      }
    } else {
      Only(k, {"TriggeringEntities", "EntityCondition"});
      const Node te = k.Child("TriggeringEntities");
      const Node ec = k.Child("EntityCondition");
      if (!te || !ec) {
        Error(k.Pos(), "ByEntityCondition needs TriggeringEntities and EntityCondition");
        return -1;
      }
      Only(te, {"EntityRef"});
      c.all = Enum<bool>(te, "triggeringEntitiesRule", {{"any", false}, {"all", true}});
      for (const Node& r : te.Children("EntityRef")) c.triggering.push_back(EntityName(r, "entityRef"));
      const Node v = Choice(ec, {"EndOfRoadCondition", "CollisionCondition", "OffroadCondition", "TimeHeadwayCondition",
                                 "TimeToCollisionCondition", "AccelerationCondition", "StandStillCondition",
                                 "SpeedCondition", "RelativeSpeedCondition", "TraveledDistanceCondition",
                                 "ReachPositionCondition", "DistanceCondition", "RelativeDistanceCondition",
                                 "RelativeClearanceCondition"});
      if (!v) return -1;
      c.pos = v.Pos();
      const std::string kind = v.Name();
      if (kind == "EndOfRoadCondition" || kind == "StandStillCondition" || kind == "OffroadCondition") {
        Only(v, {});
        c.kind = kind == "EndOfRoadCondition" ? Condition::Kind::kEndOfRoad
                 : kind == "OffroadCondition" ? Condition::Kind::kOffroad
                                              : Condition::Kind::kStandStill;
        c.value = Num(v, "duration");
        if (c.kind != Condition::Kind::kStandStill && sc_.road_file.empty())
          Error(v.Pos(), kind + " needs a road network");
      } else if (kind == "RelativeClearanceCondition") {
        ReadClearance(v, &c);
      } else if (kind == "CollisionCondition") {
        const Node t = Choice(v, {"EntityRef", "ByType"});
        if (!t) return -1;
        c.kind = Condition::Kind::kCollision;
        if (t.Name() == "EntityRef") {
          c.entity = EntityName(t, "entityRef");
        } else {
          c.collision_type = Enum<std::string>(t, "objectType",
                                               {{"vehicle", "Vehicle"}, {"pedestrian", "Pedestrian"},
                                                {"miscellaneous", "MiscObject"}});
        }
      } else if (kind == "TimeHeadwayCondition" || kind == "RelativeDistanceCondition") {
        Only(v, {});
        c.kind = kind == "TimeHeadwayCondition" ? Condition::Kind::kTimeHeadway : Condition::Kind::kRelativeDistance;
        c.entity = EntityName(v, "entityRef");
        c.value = Num(v, "value");
        c.rule = ReadRule(v);
        c.freespace = Bool(v, "freespace");
        ReadDistanceKind(v, &c);
        if (c.kind == Condition::Kind::kTimeHeadway && !Has(v, "relativeDistanceType"))
          c.distance_type = DistanceType::kLongitudinal;
        if (c.kind == Condition::Kind::kTimeHeadway && !Has(v, "coordinateSystem") && !sc_.road_file.empty())
          c.coordinate_system = CoordinateSystem::kRoad;
        if (c.kind == Condition::Kind::kRelativeDistance && !Has(v, "relativeDistanceType"))
          Error(v.Pos(), "RelativeDistanceCondition needs the attribute 'relativeDistanceType'");
      } else if (kind == "TimeToCollisionCondition") {
        ReadTimeToCollision(v, &c);
      } else if (kind == "AccelerationCondition" || kind == "SpeedCondition") {
        Only(v, {});
        c.kind = kind == "SpeedCondition" ? Condition::Kind::kSpeed : Condition::Kind::kAcceleration;
        c.value = Num(v, "value");
        c.rule = ReadRule(v);
        c.direction = Str(v, "direction", "");
        if (!c.direction.empty() && c.direction != "longitudinal" && c.direction != "lateral" && c.direction != "vertical")
          Error(v.Pos(), kind + ": direction '" + c.direction + "' is not supported; supported: longitudinal, lateral, vertical");
      } else if (kind == "RelativeSpeedCondition") {
        Only(v, {});
        c.kind = Condition::Kind::kRelativeSpeed;
        c.entity = EntityName(v, "entityRef");
        c.value = Num(v, "value");
        c.rule = ReadRule(v);
        if (Has(v, "direction")) Error(v.Pos(), "RelativeSpeedCondition: direction is not supported");
      } else if (kind == "TraveledDistanceCondition") {
        Only(v, {});
        c.kind = Condition::Kind::kTraveledDistance;
        c.value = Num(v, "value");
      } else if (kind == "ReachPositionCondition") {
        Only(v, {"Position"});
        c.kind = Condition::Kind::kReachPosition;
        c.value = Num(v, "tolerance");
        if (const Node p = v.Child("Position")) c.position = ReadPosition(p);
        else Error(v.Pos(), "ReachPositionCondition needs a Position");
      } else {  // DistanceCondition
        Only(v, {"Position"});
        ReadDistanceComparison(v, Condition::Kind::kDistance, &c);
        if (Has(v, "alongRoute") && Bool(v, "alongRoute") && !Has(v, "coordinateSystem"))
          c.coordinate_system = CoordinateSystem::kRoad;
        if (const Node p = v.Child("Position")) c.position = ReadPosition(p);
        else Error(v.Pos(), "DistanceCondition needs a Position");
      }
    }
    sc_.conditions.push_back(c);
    return static_cast<int>(sc_.conditions.size()) - 1;
  }

  /// StoryboardElementStateConditions name elements that may be defined after them: checked last.
  void ResolveElementRefs() {
    for (const Condition& c : sc_.conditions) {
      if (c.kind != Condition::Kind::kStoryboardElementState) continue;
      bool found = false;
      for (const Element& e : sc_.elements)
        if (e.type == c.element_type && (e.name == c.element_ref || c.element_ref.ends_with("::" + e.name)))
          found = true;
      if (!found)
        Error(c.pos, "StoryboardElementStateCondition: no storyboard element '" + c.element_ref + "' of that type");
    }
  }

  Scenario& sc_;
  const std::vector<std::pair<std::string, std::string>>& overrides_;
  const LoadOptions options_;
  core::Diagnostics errors_;
  std::vector<std::shared_ptr<const XmlFile>> files_;  // parsed once per content (ParseXmlShared)
  fs::path dir_;
  std::vector<std::map<std::string, std::string>> scopes_;
  std::set<std::string> declared_globals_;
  std::set<std::string> loaded_catalog_files_;
  std::map<std::string, std::map<std::string, CatalogEntry>> catalogs_;
  std::vector<ControllerRef> controllers_;  ///< per entity: its ObjectController, type "" for none
  std::map<int, ControllerRef> assigned_;  ///< controllers assigned by AssignControllerAction
  std::vector<int> actors_;               ///< the entities the actions being read act on
  std::vector<Entity> towed_;             ///< the inline trailers of the entity being read, in towing order
  std::optional<std::set<std::string>> signal_ids_;  ///< the road network's signal ids, once read
};

}  // namespace

Scenario LoadScenario(const std::string& path, const std::vector<std::pair<std::string, std::string>>& overrides) {
  return LoadScenario(path, overrides, LoadOptions{});
}

Scenario LoadScenario(const std::string& path, const std::vector<std::pair<std::string, std::string>>& overrides,
                      const LoadOptions& options) {
  Scenario sc;
  Reader(&sc, overrides, options).Read(path);
  return sc;
}

}  // namespace gauntlet::openscenario
