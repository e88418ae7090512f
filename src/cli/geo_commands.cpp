// pingan import boundaries: jurisdictions and patrol areas into the database.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "base/clock.hpp"
#include "base/sha256.hpp"
#include "cli/commands.hpp"
#include "io/boundaries_geojson.hpp"
#include "store/open_store.hpp"

namespace pingan::cli {
namespace {

struct ImportBoundaries {
    std::string file;
    std::string layer;
    std::string name_field;
    std::string db;
    bool strict = false;
};

int import_boundaries(const ImportBoundaries& o) {
    if (o.layer != "jurisdiction" && o.layer != "patrol_area") {
        return fail_input(fmt::format("--layer: '{}' is not jurisdiction or patrol_area", o.layer));
    }
    std::ifstream in(o.file, std::ios::binary);
    if (!in) return fail_input(fmt::format("FILE: cannot read {}", o.file));
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    auto features = io::read_boundaries(content, o.name_field, o.strict);
    if (!features) return fail_input(fmt::format("{}: {}", o.file, features.error().detail));
    for (const auto& f : *features) {
        for (const auto& w : f.warnings) {
            fmt::print(stderr,
                       "pingan: warning: {}: {} (kept; point-in-polygon uses the "
                       "even-odd rule there; --strict refuses such files)\n",
                       o.file, w);
        }
    }
    auto store = store::open_store(o.db);
    if (!store) return fail_input(store.error().detail);

    store::BoundaryLayerWrite layer{o.layer, {}};
    std::size_t warnings = 0;
    for (const auto& f : *features) {
        layer.rows.push_back(
            store::BoundaryRow{o.layer, f.name, f.properties, io::to_geojson_geometry(f.shape)});
        warnings += f.warnings.size();
    }
    base::SystemClock clock;
    const char* user = std::getenv("USER");
    store::Change change;
    change.events.push_back(ops::Event::log_only(
        clock.now_ms(), fmt::format("cli:{}", user != nullptr ? user : "unknown"),
        "boundaries.imported", "boundaries/" + o.layer,
        {{"layer", o.layer},
         {"file", std::filesystem::path(o.file).filename().string()},
         {"sha256", base::sha256_hex(content)},
         {"name_field", o.name_field},
         {"count", features->size()},
         {"warnings", warnings}}));
    change.side.emplace_back(std::move(layer));
    auto result = (*store)->commit(std::span<const store::Change>(&change, 1));
    if (!result) return fail_input(result.error().detail);
    if (result->errors[0]) return fail_input(result->errors[0]->detail);
    fmt::print("{{\"layer\":\"{}\",\"imported\":{},\"warnings\":{}}}\n", o.layer, features->size(),
               warnings);
    return kExitOk;
}

} // namespace

void add_geo_commands(CLI::App& /*app*/, Parents& parents, RunState& state) {
    auto o = std::make_shared<ImportBoundaries>();
    CLI::App* cmd = parents.import->add_subcommand(
        "boundaries", "Import jurisdictions or patrol areas from GeoJSON (replaces the layer)");
    cmd->add_option("FILE", o->file, "GeoJSON FeatureCollection of Polygon/MultiPolygon")
        ->required();
    cmd->add_option("--layer", o->layer, "jurisdiction or patrol_area")->required();
    cmd->add_option("--name-field", o->name_field, "feature property that names each area")
        ->required();
    cmd->add_option("--db", o->db, kDbHelp)->required();
    cmd->add_flag("--strict", o->strict, "refuse polygons with crossing edges");
    cmd->callback([o, &state] { state.exit_code = import_boundaries(*o); });
}

} // namespace pingan::cli
