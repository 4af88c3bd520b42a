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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace onboard::batch
