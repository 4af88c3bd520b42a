#include <nlohmann/json.hpp>

#include "onboard/batch/batch.h"

namespace onboard::batch {

std::string to_json_line(const Result& r) {
  nlohmann::ordered_json j;
  j["row"] = r.row;
  j["id"] = r.id;
  j["status"] = r.status;
  j["outputs"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.outputs) j["outputs"][k] = v;
  if (r.error) {
    nlohmann::ordered_json e;
    e["code"] = static_cast<int>(r.error->code);
    e["message"] = r.error->message;
    j["error"] = std::move(e);
  }
  for (const auto& [k, v] : r.extra) j[k] = nlohmann::ordered_json::parse(v, nullptr, false);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace onboard::batch
