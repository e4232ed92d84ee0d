// Where the ladder diagram (message sequence chart) puts its columns and arrows: a pure function
// of the ladder, so the geometry can be tested without a scene.
#ifndef PUSHSIM_GUI_APP_LADDER_LAYOUT_H_
#define PUSHSIM_GUI_APP_LADDER_LAYOUT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "results_db.h"

namespace pushsim::dashboard {

struct LadderMetrics {
  double margin = 80;          // around the whole diagram (half a node box fits left of the first lifeline)
  double column_spacing = 190; // between the lifelines of two neighbouring nodes
  double header_height = 48;   // node names above the first arrow
  double row_height = 36;      // one arrow per row, so labels never overlap
  double self_loop_width = 40; // a message whose peer is unknown: a short loop on its node
  std::size_t max_label_chars = 64;
};

struct LadderColumnGeometry {
  double x;            // the lifeline
  std::string title;   // node name
  std::string role;
};

struct LadderArrowGeometry {
  std::size_t index;   // into Ladder::arrows
  int from, to;        // column indices, clamped into range
  double y;            // strictly increasing with index
  double x_from, x_to; // equal when the peer is unknown (drawn as a loop)
  std::string label;   // "12.345678 s  INVITE sip:..." (first line shortened)
};

struct LadderGeometry {
  std::vector<LadderColumnGeometry> columns;
  std::vector<LadderArrowGeometry> arrows;
  double width = 0, height = 0;
};

// One row per arrow in the ladder's (time) order; columns left to right in the ladder's order.
LadderGeometry LayOutLadder(const Ladder& ladder, const LadderMetrics& metrics = {});

// "12.345678 s  REGISTER sip:home1.net SIP/2.0", shortened to max_chars with an ellipsis.
std::string ArrowLabel(double time_s, const std::string& first_line, std::size_t max_chars);

// The ladder as CSV: "message_id,time_s,from,to,first_line,size_bytes", one row per arrow in order,
// from and to by node name.
std::string LadderCsv(const Ladder& ladder);

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_LADDER_LAYOUT_H_
