#include "background.h"

namespace pushsim::dashboard {

void BusyTracker::Begin() {
  if (pending_++ == 0) emit BusyChanged(true);
}

void BusyTracker::End() {
  if (pending_ > 0 && --pending_ == 0) emit BusyChanged(false);
}

}  // namespace pushsim::dashboard
