// Generated flow run names: upstream draws two words from coolname ("impartial-bee"); a
// small built-in list of our own keeps the same shape.

#include <array>
#include <string_view>

#include "lib/schemas/flow_run.h"

namespace prefectcore::schemas {
namespace {

constexpr std::array<std::string_view, 64> kAdjectives = {
    "amber",     "ancient", "arctic",   "bold",     "brave",   "breezy",   "bright",  "calm",
    "candid",    "careful", "cheerful", "clever",   "cosmic",  "crimson",  "curious", "daring",
    "dapper",    "eager",   "earnest",  "electric", "elegant", "fearless", "festive", "gentle",
    "gifted",    "glossy",  "golden",   "graceful", "happy",   "hardy",    "honest",  "humble",
    "impartial", "jolly",   "keen",     "kind",     "lively",  "loyal",    "lucky",   "merry",
    "mighty",    "modest",  "nimble",   "noble",    "patient", "placid",   "polite",  "proud",
    "quick",     "quiet",   "radiant",  "rapid",    "serene",  "shiny",    "silver",  "smart",
    "steady",    "sturdy",  "swift",    "tidy",     "vivid",   "warm",     "witty",   "zealous"};

constexpr std::array<std::string_view, 64> kAnimals = {
    "albatross", "alpaca",  "antelope", "badger",   "bee",      "bison",   "bobcat",  "buffalo",
    "camel",     "caribou", "cheetah",  "chipmunk", "cobra",    "condor",  "coyote",  "crane",
    "dingo",     "dolphin", "donkey",   "eagle",    "falcon",   "ferret",  "finch",   "flamingo",
    "fox",       "gazelle", "gecko",    "gibbon",   "giraffe",  "heron",   "hyena",   "ibex",
    "iguana",    "impala",  "jackal",   "jaguar",   "kestrel",  "koala",   "lemur",   "leopard",
    "llama",     "lynx",    "marmot",   "meerkat",  "mongoose", "moose",   "narwhal", "ocelot",
    "okapi",     "orca",    "otter",    "panda",    "pelican",  "penguin", "puffin",  "quail",
    "raccoon",   "raven",   "salmon",   "seal",     "tapir",    "toucan",  "vole",    "walrus"};

// FNV-1a over the id's text: spreads ordered and random ids alike.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string generate_run_name(core::IdGenerator& ids) {
  const std::uint64_t h = fnv1a(ids.random_id());
  std::string name(kAdjectives[h % kAdjectives.size()]);
  name.push_back('-');
  name.append(kAnimals[(h / kAdjectives.size()) % kAnimals.size()]);
  return name;
}

}  // namespace prefectcore::schemas
