// The gazetteer check of OCR'd agency names.
#include "place_names.h"

#include "gtest/gtest.h"

namespace gongkai {
namespace {

TEST(PlaceNamesTest, KnowsPlacesOfEveryLevel) {
  EXPECT_TRUE(IsKnownPlace("河南"));
  EXPECT_TRUE(IsKnownPlace("淮安"));
  EXPECT_TRUE(IsKnownPlace("偃师"));
  EXPECT_FALSE(IsKnownPlace("候师"));
}

TEST(PlaceNamesTest, RestoresAPlaceMisreadByOneSimilarCharacter) {
  // 偃 and 伽 (伽师县) both fit "?师"; 偃 shares 候's radical and is one
  // stroke from it, 伽 three.
  auto r = RepairAgencyPlace("候师市卫生健康委员会");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "偃师市卫生健康委员会");
  EXPECT_EQ(r->misread, "候师");
  EXPECT_EQ(r->place, "偃师");
  // Below a known province and city too.
  auto deep = RepairAgencyPlace("河南省洛阳市候师市卫生健康委员会");
  ASSERT_TRUE(deep.has_value());
  EXPECT_EQ(deep->name, "河南省洛阳市偃师市卫生健康委员会");
}

TEST(PlaceNamesTest, LeavesWhatItCannotTellAlone) {
  EXPECT_FALSE(RepairAgencyPlace("淮安市人民政府"));      // known
  EXPECT_FALSE(RepairAgencyPlace("平潭综合实验区"));      // not a place stem
  EXPECT_FALSE(RepairAgencyPlace("巴州卫生健康委员会"));  // no suffix after 2+
  EXPECT_FALSE(RepairAgencyPlace("国家税务总局"));        // no place at all
  EXPECT_FALSE(RepairAgencyPlace("某某市人民政府"));      // nothing close
  EXPECT_FALSE(RepairAgencyPlace(""));
  EXPECT_FALSE(RepairAgencyPlace("\xff\xfe市"));  // not UTF-8
}

}  // namespace
}  // namespace gongkai
