#include <nlohmann/json.hpp>

#include "onboard/batch/batch.h"

namespace onboard::batch {

std::string to_json_line(const Result& r) {
  nlohmann::ordered_json j;
  j["row"] = r.row;
  j["id"] = r.id;
  j["status"] = r.status;
  for (const auto& [k, v] : r.fields) j[k] = v;
  if (r.error) {
    j["error"] = r.error->message;
    j["exit_code"] = static_cast<int>(r.error->code);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace onboard::batch
