#include "plugins/actions/mcp/session.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;

class InitializeSession : public Session {
 public:
  explicit InitializeSession(ClientIdentity client) : client_(std::move(client)) {}

  absl::StatusOr<ServerInfo> Start(JsonRpcPeer& peer, Transport& transport,
                                   const CallLimits& limits) override {
    json params = {{"protocolVersion", std::string(kProtocolVersions[0])},
                   {"capabilities", json::object()},
                   {"clientInfo", {{"name", client_.name}, {"version", client_.version}}}};
    auto result = peer.Call("initialize", std::move(params), limits);
    if (!result.ok()) return result.status();
    if (!result->is_object()) return absl::DataLossError("initialize: the server's result is not an object");
    ServerInfo info;
    auto version = result->find("protocolVersion");
    if (version == result->end() || !version->is_string()) {
      return absl::DataLossError("initialize: the server's result has no protocolVersion");
    }
    info.protocol_version = version->get<std::string>();
    if (std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), info.protocol_version) ==
        std::end(kProtocolVersions)) {
      std::vector<std::string> ours(std::begin(kProtocolVersions), std::end(kProtocolVersions));
      std::string theirs = info.protocol_version.substr(0, 40);
      return absl::FailedPreconditionError(
          absl::StrCat("initialize: the server speaks MCP protocol version \"", theirs, "\"; awoooi speaks ",
                       absl::StrJoin(ours, " and ")));
    }
    if (auto si = result->find("serverInfo"); si != result->end() && si->is_object()) {
      if (auto n = si->find("name"); n != si->end() && n->is_string()) info.name = n->get<std::string>();
      if (auto v = si->find("version"); v != si->end() && v->is_string())
        info.version = v->get<std::string>();
    }
    if (auto caps = result->find("capabilities"); caps != result->end() && caps->is_object()) {
      if (auto tools = caps->find("tools"); tools != caps->end() && tools->is_object()) {
        info.tools = true;
        auto lc = tools->find("listChanged");
        info.tools_list_changed = lc != tools->end() && lc->is_boolean() && lc->get<bool>();
      }
    }
    transport.SetProtocolVersion(info.protocol_version);
    if (absl::Status s = peer.Notify("notifications/initialized", json(), limits); !s.ok()) return s;
    return info;
  }

 private:
  ClientIdentity client_;
};

}  // namespace

std::unique_ptr<Session> MakeInitializeSession(ClientIdentity client) {
  return std::make_unique<InitializeSession>(std::move(client));
}

}  // namespace awoooi::mcp
