#include "plugins/actions/mcp/input_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace awoooi::mcp {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Why(const json& schema, const json& args) {
  absl::Status s = ValidateArguments(schema, args);
  return s.ok() ? "ok" : std::string(s.message());
}

// The schema @modelcontextprotocol/server-everything gives its echo tool (zod, draft-07).
const json kEcho = json::parse(R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
  "properties":{"message":{"type":"string","description":"Message to echo"}},"required":["message"]})");

TEST(InputSchema, AcceptsArgumentsOfTheRealEchoSchema) {
  EXPECT_EQ(Why(kEcho, {{"message", "hi"}}), "ok");
  EXPECT_EQ(Why(kEcho, {{"message", "hi"}, {"extra", 1}}), "ok");  // additionalProperties unset
}

TEST(InputSchema, NamesThePathAndTheRuleNeverTheValue) {
  EXPECT_EQ(Why(kEcho, json::object()), "arguments.message: is required");
  std::string why = Why(kEcho, {{"message", 10.5}});
  EXPECT_EQ(why, "arguments.message: must be string, not a number");
  EXPECT_THAT(Why(kEcho, {{"message", json::array({"secret-value"})}}),
              ::testing::Not(HasSubstr("secret-value")));
}

TEST(InputSchema, TypesIncludingIntegerAsAWholeFloatAndTypeLists) {
  json s = {
      {"type", "object"},
      {"properties", {{"n", {{"type", "integer"}}}, {"v", {{"type", json::array({"string", "null"})}}}}}};
  EXPECT_EQ(Why(s, {{"n", 3}}), "ok");
  EXPECT_EQ(Why(s, {{"n", 3.0}}), "ok");
  EXPECT_EQ(Why(s, {{"n", 3.5}}), "arguments.n: must be integer, not a number");
  EXPECT_EQ(Why(s, {{"n", "3"}}), "arguments.n: must be integer, not a string");
  EXPECT_EQ(Why(s, {{"v", nullptr}}), "ok");
  EXPECT_EQ(Why(s, {{"v", true}}), "arguments.v: must be string or null, not a boolean");
  EXPECT_EQ(Why(s, json::array()), "arguments: must be a JSON object");
}

TEST(InputSchema, AdditionalPropertiesFalseOrASchema) {
  json closed = {
      {"type", "object"}, {"properties", {{"a", json::object()}}}, {"additionalProperties", false}};
  EXPECT_EQ(Why(closed, {{"a", 1}}), "ok");
  EXPECT_EQ(Why(closed, {{"a", 1}, {"b", 2}}), "arguments.b: is not a parameter of this tool");
  json typed = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  EXPECT_EQ(Why(typed, {{"x", "y"}}), "ok");
  EXPECT_EQ(Why(typed, {{"x", 1}}), "arguments.x: must be string, not an integer");
}

TEST(InputSchema, EnumConstAndNumberBounds) {
  json s = json::parse(R"({"type":"object","properties":{
    "kind":{"enum":["error","success",3]},
    "fixed":{"const":"yes"},
    "replicas":{"type":"integer","minimum":0,"maximum":10},
    "ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}}})");
  EXPECT_EQ(Why(s, {{"kind", "error"}, {"fixed", "yes"}, {"replicas", 10}, {"ratio", 0.5}}), "ok");
  EXPECT_EQ(Why(s, {{"kind", 3.0}}), "ok");  // numbers compare by value
  EXPECT_EQ(Why(s, {{"kind", "debug"}}), R"(arguments.kind: must be one of "error", "success", 3)");
  EXPECT_EQ(Why(s, {{"fixed", "no"}}), R"(arguments.fixed: must be "yes")");
  EXPECT_EQ(Why(s, {{"replicas", 11}}), "arguments.replicas: must be at most 10");
  EXPECT_EQ(Why(s, {{"replicas", -1}}), "arguments.replicas: must be at least 0");
  EXPECT_EQ(Why(s, {{"ratio", 1}}), "arguments.ratio: must be less than 1");
  EXPECT_EQ(Why(s, {{"ratio", 0}}), "arguments.ratio: must be greater than 0");
}

TEST(InputSchema, StringLengthsCountCodePoints) {
  json s = {{"type", "object"},
            {"properties", {{"name", {{"type", "string"}, {"minLength", 2}, {"maxLength", 3}}}}}};
  EXPECT_EQ(Why(s, {{"name", "日本語"}}), "ok");  // 9 bytes, 3 characters
  EXPECT_EQ(Why(s, {{"name", "abcd"}}), "arguments.name: must be at most 3 characters long");
  EXPECT_EQ(Why(s, {{"name", "a"}}), "arguments.name: must be at least 2 characters long");
}

TEST(InputSchema, PatternIsNotCheckedOnPurpose) {
  // A server-supplied pattern could make std::regex backtrack for hours: the server validates it.
  json s = {{"type", "object"}, {"properties", {{"id", {{"type", "string"}, {"pattern", "^(a+)+$"}}}}}};
  EXPECT_EQ(Why(s, {{"id", std::string(5000, 'a') + "b"}}), "ok");
}

TEST(InputSchema, ItemsTuplesAndItemCounts) {
  json s = json::parse(R"({"type":"object","properties":{
    "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2},
    "pair":{"type":"array","items":[{"type":"string"},{"type":"integer"}]}}})");
  EXPECT_EQ(Why(s, {{"tags", {"a"}}, {"pair", {"x", 1, true}}}), "ok");
  EXPECT_EQ(Why(s, {{"tags", {"a", 2}}}), "arguments.tags[1]: must be string, not an integer");
  EXPECT_EQ(Why(s, {{"tags", json::array()}}), "arguments.tags: must have at least 1 items");
  EXPECT_EQ(Why(s, {{"tags", {"a", "b", "c"}}}), "arguments.tags: must have at most 2 items");
  EXPECT_EQ(Why(s, {{"pair", {"x", "y"}}}), "arguments.pair[1]: must be integer, not a string");
}

TEST(InputSchema, AnyOfOneOfAllOfNot) {
  json s = json::parse(R"({"type":"object","properties":{
    "target":{"anyOf":[{"type":"string"},{"type":"integer","minimum":1}]},
    "mode":{"oneOf":[{"type":"integer"},{"type":"number"}]},
    "both":{"allOf":[{"type":"string"},{"maxLength":2}]},
    "notnull":{"not":{"type":"null"}}}})");
  EXPECT_EQ(Why(s, {{"target", "pod"}}), "ok");
  EXPECT_EQ(Why(s, {{"target", 2}}), "ok");
  EXPECT_EQ(Why(s, {{"target", 0}}), "arguments.target: matches none of the 2 allowed forms (anyOf)");
  EXPECT_EQ(Why(s, {{"mode", 1.5}}), "ok");
  EXPECT_EQ(Why(s, {{"mode", 1}}), "arguments.mode: matches 2 forms where exactly one is allowed (oneOf)");
  EXPECT_EQ(Why(s, {{"both", "abc"}}), "arguments.both: must be at most 2 characters long");
  EXPECT_EQ(Why(s, {{"notnull", nullptr}}),
            "arguments.notnull: matches a form the tool's schema excludes (not)");
}

TEST(InputSchema, LocalReferencesAsPydanticWritesThem) {
  json s = json::parse(R"({"type":"object","$defs":{"Target":{"type":"object",
    "properties":{"namespace":{"type":"string"}},"required":["namespace"]}},
    "properties":{"target":{"$ref":"#/$defs/Target"}},"required":["target"]})");
  EXPECT_EQ(Why(s, {{"target", {{"namespace", "prod"}}}}), "ok");
  EXPECT_EQ(Why(s, {{"target", json::object()}}), "arguments.target.namespace: is required");
  json dangling = {{"type", "object"}, {"properties", {{"x", {{"$ref", "#/$defs/Missing"}}}}}};
  EXPECT_THAT(Why(dangling, {{"x", 1}}), HasSubstr("cannot be resolved"));
}

TEST(InputSchema, HostileSchemasAreRefusedNotFollowedForever) {
  json loop = {{"$ref", "#"}};
  EXPECT_THAT(Why(loop, json::object()), HasSubstr("nested too deeply"));
  // anyOf nested 14 deep with two failing branches each: 2^14 paths to try.
  json s = {{"type", "integer"}};
  for (int i = 0; i < 14; ++i) s = {{"anyOf", json::array({s, s})}};
  json root = {{"type", "object"}, {"properties", {{"x", s}}}};
  EXPECT_THAT(Why(root, {{"x", "not a number"}}), HasSubstr("too complex"));
}

TEST(InputSchema, BooleanSchemasAndNoSchema) {
  EXPECT_EQ(Why(json(true), {{"a", 1}}), "ok");
  EXPECT_EQ(Why(json(), {{"a", 1}}), "ok");
  json s = {{"type", "object"}, {"properties", {{"never", false}}}};
  EXPECT_EQ(Why(s, {{"never", 1}}), "arguments.never: is not allowed by the tool's schema");
}

}  // namespace
}  // namespace awoooi::mcp
