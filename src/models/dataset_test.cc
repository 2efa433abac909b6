#include "models/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace finbrain::models {
namespace {

using ::testing::HasSubstr;

TEST(Csv, ReadsQuotedFieldsMissingCellsAndColumnKinds) {
  const auto data = ParseCsv(
      "\"age\",\"city, name\",income,note\n"
      "30,\"Beijing, CN\",1000.5,\"said \"\"hi\"\"\nthen left\"\n"
      "NA,Shanghai,,x\n"
      "45,,NaN,y\r\n",
      {});
  ASSERT_TRUE(data.ok()) << data.status().message();
  ASSERT_EQ(data->rows, 3u);
  const Column* age = data->Find("age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(age->kind, ColumnKind::kNumeric);
  EXPECT_EQ(age->numbers[0], 30);
  EXPECT_TRUE(age->IsMissing(1));
  const Column* city = data->Find("city, name");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->kind, ColumnKind::kCategorical);
  EXPECT_EQ(city->Text(0), "Beijing, CN");
  EXPECT_TRUE(city->IsMissing(2));
  EXPECT_TRUE(data->Find("income")->IsMissing(1));
  EXPECT_TRUE(data->Find("income")->IsMissing(2));
  EXPECT_EQ(data->Find("note")->Text(0), "said \"hi\"\nthen left");
}

TEST(Csv, ForcedCategoricalKeepsNumbersAsLabels) {
  const auto data = ParseCsv("code,y\n01,1\n2,0\n", {.categorical = {"code"}});
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->Find("code")->kind, ColumnKind::kCategorical);
  EXPECT_EQ(data->Find("code")->Text(0), "01");
}

TEST(Csv, BadInputNamesRowAndColumn) {
  std::string mostly_numbers = "x\n";
  for (int i = 0; i < 40; ++i) mostly_numbers += std::to_string(i) + "\n";
  mostly_numbers += "oops\n";
  auto stray = ParseCsv(mostly_numbers, {});
  ASSERT_FALSE(stray.ok());
  EXPECT_THAT(stray.status().message(), HasSubstr("row 41, column 'x'"));
  EXPECT_THAT(stray.status().message(), HasSubstr("'oops' is not a number"));

  auto declared = ParseCsv("x\n1\nabc\n", {.numeric = {"x"}});
  ASSERT_FALSE(declared.ok());
  EXPECT_THAT(declared.status().message(), HasSubstr("row 2, column 'x'"));

  auto infinite = ParseCsv("x\n1\ninf\n", {});
  ASSERT_FALSE(infinite.ok());
  EXPECT_THAT(infinite.status().message(), HasSubstr("infinite"));

  auto ragged = ParseCsv("a,b\n1,2\n3\n", {});
  ASSERT_FALSE(ragged.ok());
  EXPECT_THAT(ragged.status().message(), HasSubstr("row 2 has 1 fields but the header has 2"));

  EXPECT_FALSE(ParseCsv("a,a\n1,2\n", {}).ok());
  EXPECT_FALSE(ParseCsv("a,\n1,2\n", {}).ok());
  EXPECT_FALSE(ParseCsv("", {}).ok());
  EXPECT_FALSE(ParseCsv("a\n\"unterminated\n", {}).ok());
  EXPECT_FALSE(ReadCsv("/nonexistent/file.csv", {}).ok());
}

TEST(Target, ZeroOneOrTwoLabelsWithPositive) {
  const auto data = ParseCsv("y,label,three,one\n0,good,a,k\n1,bad,b,k\n1,bad,c,k\n", {});
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(ExtractTarget(*data, "y", std::nullopt).value(), (std::vector<std::uint8_t>{0, 1, 1}));
  EXPECT_EQ(ExtractTarget(*data, "label", "bad").value(), (std::vector<std::uint8_t>{0, 1, 1}));

  auto needs_positive = ExtractTarget(*data, "label", std::nullopt);
  ASSERT_FALSE(needs_positive.ok());
  EXPECT_THAT(needs_positive.status().message(), HasSubstr("--positive"));
  auto three = ExtractTarget(*data, "three", "a");
  ASSERT_FALSE(three.ok());
  EXPECT_THAT(three.status().message(), HasSubstr("more than two values"));
  auto single = ExtractTarget(*data, "one", "k");
  ASSERT_FALSE(single.ok());
  EXPECT_THAT(single.status().message(), HasSubstr("single class"));
  auto absent = ExtractTarget(*data, "nope", std::nullopt);
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("y, label, three, one"));
  EXPECT_FALSE(ExtractTarget(*data, "label", "ugly").ok());

  const auto numeric_labels = ParseCsv("class\n1\n2\n2\n", {});
  EXPECT_EQ(ExtractTarget(*numeric_labels, "class", "2").value(),
            (std::vector<std::uint8_t>{0, 1, 1}));
  const auto missing = ParseCsv("a,y\n1,1\n2,\n", {});
  auto missing_target = ExtractTarget(*missing, "y", std::nullopt);
  ASSERT_FALSE(missing_target.ok());
  EXPECT_THAT(missing_target.status().message(), HasSubstr("row 2"));
}

TEST(Dataset, SubsetKeepsRowsInOrder) {
  const auto data = ParseCsv("a,b\n1,x\n2,y\n3,z\n", {});
  const Dataset s = data->Subset({2, 0});
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.Find("a")->numbers, (std::vector<double>{3, 1}));
  EXPECT_EQ(s.Find("b")->Text(0), "z");
}

}  // namespace
}  // namespace finbrain::models
