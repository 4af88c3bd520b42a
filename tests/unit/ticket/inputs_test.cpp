// The ticket input expander (SPEC §13.4): files, directories, ticket lists told by content.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "onboard/ticket/inputs.h"
#include "onboard/ticket/ticket.h"

using namespace onboard;
namespace fs = std::filesystem;

namespace {

class InputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("onboard-inputs-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

constexpr const char* kTicket = R"({"payload":"e30","signatures":[]})";

}  // namespace

TEST(TicketListDetection, ByFirstMember) {
  EXPECT_TRUE(ticket::looks_like_ticket_list(R"( {"Devices":[]})"));
  EXPECT_TRUE(ticket::looks_like_ticket_list(R"({"Composites":["x"]})"));
  EXPECT_TRUE(ticket::looks_like_ticket_list("{\n  \"UaTypeId\":1}"));
  EXPECT_FALSE(ticket::looks_like_ticket_list(kTicket));
  EXPECT_FALSE(ticket::looks_like_ticket_list(R"({"signatures":[],"payload":"e30"})"));
  EXPECT_FALSE(ticket::looks_like_ticket_list("[]"));
  EXPECT_FALSE(ticket::looks_like_ticket_list(""));
  EXPECT_FALSE(ticket::looks_like_ticket_list("{\"Devices"));
}

TEST_F(InputsTest, FilesDirectoriesAndListsInOrder) {
  std::string one = write("one.txt", kTicket);  // the name does not matter
  write("dir/b.json", kTicket);
  write("dir/a.json", ticket::encode_ticket_list({kTicket, kTicket}, {kTicket}));
  write("dir/.hidden.json", kTicket);
  write("dir/notes.txt", "not a ticket");
  write("dir/sub/c.json", kTicket);  // not recursive
  auto in = ticket::expand_ticket_inputs({path("dir"), one});
  ASSERT_TRUE(in) << in.error().message;
  ASSERT_EQ(in->size(), 5u);
  EXPECT_EQ((*in)[0].path, path("dir/a.json") + "#/Devices/0");
  EXPECT_EQ((*in)[1].path, path("dir/a.json") + "#/Devices/1");
  EXPECT_EQ((*in)[1].kind, ticket::TicketInput::Kind::device_member);
  EXPECT_EQ((*in)[2].path, path("dir/a.json") + "#/Composites/0");
  EXPECT_EQ((*in)[2].kind, ticket::TicketInput::Kind::composite_member);
  EXPECT_EQ((*in)[2].origin, path("dir/a.json"));
  EXPECT_EQ((*in)[2].bytes, kTicket);  // the member document, unescaped
  EXPECT_EQ((*in)[3].path, path("dir/b.json"));
  EXPECT_EQ((*in)[4].path, one);
  EXPECT_EQ((*in)[4].kind, ticket::TicketInput::Kind::file);

  auto sources = ticket::read_ticket_sources({path("dir")});
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_TRUE((*sources)[0].is_list);
  EXPECT_EQ((*sources)[0].tickets.size(), 3u);
  EXPECT_FALSE((*sources)[1].is_list);
}

TEST_F(InputsTest, ErrorsNameThePath) {
  auto missing = ticket::expand_ticket_inputs({path("nothere.json")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::file);
  EXPECT_NE(missing.error().message.find("nothere.json"), std::string::npos);

  fs::create_directories(dir_ / "empty");
  auto empty = ticket::expand_ticket_inputs({path("empty")});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::file);
  EXPECT_NE(empty.error().message.find("no *.json files"), std::string::npos);

  auto bad = ticket::expand_ticket_inputs({write("bad.json", R"({"Devices":["x",{}]})")});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_NE(bad.error().message.find("bad.json: ticket list: Devices[1] is not a string"), std::string::npos)
      << bad.error().message;

  auto none = ticket::expand_ticket_inputs({write("none.json", R"({"Devices":[]})")});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::malformed);

  auto twice = ticket::expand_ticket_inputs({"-", "-"});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::usage);
}
