#include "wire/sip_message.h"

#include <gtest/gtest.h>

namespace pushsim::wire {
namespace {

TEST(SipMessage, Placeholder) { EXPECT_EQ(LookupHeader("v"), HeaderId::kVia); }

}  // namespace
}  // namespace pushsim::wire
