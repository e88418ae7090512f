#include "io/osm_import.hpp"

#include <algorithm>
#include <vector>

#include <fmt/core.h>
#include <osmium/handler.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>

#include "io/osm_file.hpp"

namespace pingan::io {

base::Result<OsmImport> import_osm(const std::string& path, const road::Profile& profile,
                                   const std::function<void(std::string_view)>& progress) {
    auto checked = check_osm_file(path);
    if (!checked) return checked.error();
    return import_osm(*checked, profile, progress);
}

base::Result<OsmImport> import_osm(const CheckedOsmFile& osm, const road::Profile& profile,
                                   const std::function<void(std::string_view)>& progress) {
    auto say = [&](const std::string& s) {
        if (progress) progress(s);
    };
    const std::string& path = osm.path();

    OsmImportStats stats;
    road::GraphBuilder builder(profile.name);
    std::vector<std::int64_t> needed;
    std::vector<road::Tag> tags;
    std::vector<std::int64_t> refs;
    try {
        say("reading ways");
        osmium::io::File file(path);
        osmium::io::Reader ways_reader(file, osmium::osm_entity_bits::way,
                                       osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = ways_reader.read()) {
            for (const auto& way : buffer.select<osmium::Way>()) {
                ++stats.ways_read;
                tags.clear();
                for (const osmium::Tag& t : way.tags())
                    tags.emplace_back(t.key(), t.value());
                road::WayRules rules;
                if (!profile.evaluate(tags, rules)) continue;
                ++stats.ways_routable;
                refs.clear();
                for (const osmium::NodeRef& r : way.nodes()) {
                    refs.push_back(r.ref());
                    needed.push_back(r.ref());
                }
                const char* name = way.tags().get_value_by_key("name", "");
                builder.add_way(way.id(), rules, name, refs);
            }
        }
        ways_reader.close();
        std::sort(needed.begin(), needed.end());
        needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
        stats.nodes_needed = needed.size();
        say(fmt::format("{} ways read, {} routable; reading {} nodes", stats.ways_read,
                        stats.ways_routable, needed.size()));

        osmium::io::Reader nodes_reader(file, osmium::osm_entity_bits::node,
                                        osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = nodes_reader.read()) {
            for (const auto& node : buffer.select<osmium::Node>()) {
                if (!std::binary_search(needed.begin(), needed.end(), node.id())) continue;
                const osmium::Location loc = node.location();
                if (!loc.valid()) continue;
                builder.add_node(node.id(), {loc.lat(), loc.lon()});
                ++stats.nodes_found;
            }
        }
        nodes_reader.close();
    } catch (const std::exception& e) {
        return unreadable_osm(path, e.what());
    }
    if (stats.ways_routable == 0) {
        return base::error(base::Code::bad_argument, "file",
                           fmt::format("{} holds no road a {} may drive on ({} ways read)", path,
                                       profile.name, stats.ways_read));
    }
    say(fmt::format("{} of {} referenced nodes found; building the graph", stats.nodes_found,
                    stats.nodes_needed));
    auto built =
        builder.build(&stats.build, [&](std::string_view stage) { say(std::string(stage)); });
    if (!built) return std::move(built).error();
    return OsmImport{std::move(built).value(), stats};
}

} // namespace pingan::io
