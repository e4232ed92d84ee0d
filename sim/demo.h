// `pushsim demo`: one push walked through every codec end to end — registration with the push
// feature tag and GRUU, a MESSAGE push selected by caller preferences, an INVITE offering a file
// over MSRP, the file chunked, reassembled and reported — each message serialized, parsed back
// and checked.
#pragma once

#include <ostream>

namespace pushsim::cli {

// Returns the number of checks that failed (0 on success).
int RunDemo(std::ostream& out);

}  // namespace pushsim::cli
