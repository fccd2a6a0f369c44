// IPv4 options of an echo reply (RFC 791 §3.1, RFC 1122 §3.2.2.6, Linux ip_options_echo):
// Record Route and Timestamp echoed with this host added, source routes reversed, malformed
// options refused.
#include "packet/option_echo.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace llmstack {
namespace {

using testing::Hex;

const Bytes kSrc = Hex("c0000201");      // 192.0.2.1, the requester
const Bytes kSelf = Hex("c0000202");     // 192.0.2.2, this host
constexpr uint32_t kClock = 0x0036ee80;  // 01:00:00.000 UT

OptionEcho Echo(const std::string& options_hex, OptionEchoStyle style) {
  Result<OptionEcho> e = EchoIpv4Options(Hex(options_hex), kSrc, kSelf, kClock, style);
  REQUIRE(e.ok());
  return *e;
}

Status EchoError(const std::string& options_hex) {
  Result<OptionEcho> e =
      EchoIpv4Options(Hex(options_hex), kSrc, kSelf, kClock, OptionEchoStyle::kRfc);
  REQUIRE_FALSE(e.ok());
  return e.status();
}

TEST_CASE("Record Route: one entry under rfc, two as Linux writes them", "[options]") {
  // NOP, RR length 11 (two slots), pointer 8: the requester's address already in slot one.
  const std::string rr =
      "01070b08c0000201"
      "00000000"
      "000000";
  CHECK(HexEncode(Echo(rr + "0000000000", OptionEchoStyle::kRfc).options) ==
        "070b0cc0000201c0000202"
        "00");
  // Linux: one entry on receive, one on send; here only one slot is left.
  CHECK(HexEncode(Echo(rr + "0000000000", OptionEchoStyle::kLinux).options) ==
        "070b0cc0000201c0000202"
        "00");
  // With room for both (length 15).
  CHECK(HexEncode(Echo("070f08c0000201"
                       "0000000000000000"
                       "00",
                       OptionEchoStyle::kLinux)
                      .options) ==
        "070f10c0000201c0000202c0000202"
        "00");
  // Full: copied unchanged.
  CHECK(HexEncode(Echo("070708c0000201", OptionEchoStyle::kRfc).options) == "070708c000020100");
}

TEST_CASE("Timestamp: clock values where this host writes them", "[options]") {
  // Flag 0 (timestamps only): length 12, pointer 9, the sender's stamp filled.
  OptionEcho rfc = Echo(
      "440c090000000001"
      "00000000",
      OptionEchoStyle::kRfc);
  CHECK(HexEncode(rfc.options) ==
        "440c0d0000000001"
        "0036ee80");
  CHECK(rfc.clock_offsets == std::vector<size_t>{8});
  CHECK(HexEncode(MaskClockValues(rfc.options, rfc.clock_offsets)) == "440c0d000000000100000000");
  // Linux with no room for its second stamp: the overflow count is not touched.
  OptionEcho linux = Echo(
      "440c090000000001"
      "00000000",
      OptionEchoStyle::kLinux);
  CHECK(HexEncode(linux.options) ==
        "440c0d0000000001"
        "0036ee80");
  // Flag 1 (address and timestamp), two pairs of room.
  OptionEcho pairs = Echo(
      "4414050100000000"
      "0000000000000000"
      "00000000",
      OptionEchoStyle::kLinux);
  CHECK(HexEncode(pairs.options) ==
        "441415"
        "01"
        "c00002020036ee80"
        "c00002020036ee80");
  CHECK(pairs.clock_offsets == std::vector<size_t>{8, 16});
  // Flag 3 (prespecified): stamped only where this host's address is next.
  CHECK(HexEncode(Echo("440c0503c0000202"
                       "00000000",
                       OptionEchoStyle::kRfc)
                      .options) == "440c0d03c00002020036ee80");
  CHECK(HexEncode(Echo("440c0503c0000263"
                       "00000000",
                       OptionEchoStyle::kRfc)
                      .options) == "440c0503c000026300000000");
  // Full: the hop is counted in the overflow field, once.
  CHECK(HexEncode(Echo("4408090000000001", OptionEchoStyle::kRfc).options) == "4408091000000001");
  CHECK(HexEncode(Echo("4408092000000001", OptionEchoStyle::kLinux).options) == "4408093000000001");
}

TEST_CASE("source routes are reversed", "[options]") {
  // LSRR via 192.0.2.254 then 192.0.2.253 (both recorded), completed.
  OptionEcho e = Echo("01830b0cc00002fec00002fd", OptionEchoStyle::kRfc);
  CHECK(e.has_source_route);
  CHECK(e.source_route_complete);
  REQUIRE(e.next_hop.has_value());
  CHECK(HexEncode(*e.next_hop) == "c00002fd");  // back through the last hop first
  CHECK(HexEncode(e.options) ==
        "830b04c00002fec0000201"
        "00");
  // Not completed: this host is not the final destination.
  OptionEcho partial = Echo("01830b08c00002fec00002fd", OptionEchoStyle::kRfc);
  CHECK_FALSE(partial.source_route_complete);
}

TEST_CASE("order RR, TS, source route; NOP and other options dropped; EOL padding", "[options]") {
  OptionEcho e = Echo(
      "94040000"
      "01"
      "440805000000000"
      "0"
      "070708c0000201"
      "00",
      OptionEchoStyle::kRfc);
  CHECK(HexEncode(e.options).starts_with("070708c0000201"));
  CHECK(HexEncode(e.options).substr(14, 4) == "4408");
  CHECK(e.options.size() % 4 == 0);
  CHECK(e.options.back() == kIpOptEnd);
  CHECK(Echo("01010100", OptionEchoStyle::kLinux).options.empty());
}

TEST_CASE("options a host discards", "[options]") {
  CHECK(EchoError("070702c0000201").message().find("pointer below 4") != std::string::npos);
  CHECK(EchoError("070908c00002010000").message().find("a slot cut by the end") !=
        std::string::npos);
  CHECK(EchoError("4408040000000000").message().find("pointer below 5") != std::string::npos);
  CHECK(EchoError("4408050200000000").message().find("unknown timestamp flag") !=
        std::string::npos);
  CHECK(EchoError("440a0501000000000000"
                  "0000")
            .message()
            .find("a slot cut by the end") != std::string::npos);
  CHECK(EchoError("44080af000000001").message().find("overflow count at 15") != std::string::npos);
  CHECK(EchoError("070708c0000201"
                  "070708c0000201"
                  "0000")
            .message()
            .find("appears twice") != std::string::npos);
  CHECK(EchoError("0705").code() == StatusCode::kMalformed);  // runs past the end
}

}  // namespace
}  // namespace llmstack
