#include "ladder_layout.h"

#include <algorithm>
#include <cstdio>

#include "csv.h"

namespace pushsim::dashboard {

std::string ArrowLabel(double time_s, const std::string& first_line, std::size_t max_chars) {
  char time_text[40];
  std::snprintf(time_text, sizeof time_text, "%.6f s  ", time_s);
  std::string line = first_line;
  if (line.size() > max_chars && max_chars > 3) {
    // Cut at a UTF-8 character boundary so the label stays valid text.
    std::size_t cut = max_chars - 3;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "...";
  }
  return time_text + line;
}

std::string LadderCsv(const Ladder& ladder) {
  auto node = [&](int index) {
    return index >= 0 && static_cast<std::size_t>(index) < ladder.columns.size()
               ? ladder.columns[static_cast<std::size_t>(index)].node
               : std::string();
  };
  std::string csv = "message_id,time_s,from,to,first_line,size_bytes\n";
  for (const LadderArrow& arrow : ladder.arrows) {
    csv += std::to_string(arrow.message_id) + "," + CsvNumber(arrow.time_s) + "," + CsvField(node(arrow.from)) + "," +
           CsvField(node(arrow.to)) + "," + CsvField(arrow.first_line) + "," + std::to_string(arrow.size_bytes) + "\n";
  }
  return csv;
}

LadderGeometry LayOutLadder(const Ladder& ladder, const LadderMetrics& metrics) {
  LadderGeometry geometry;
  const int column_count = static_cast<int>(ladder.columns.size());
  for (int i = 0; i < column_count; ++i) {
    const LadderColumn& column = ladder.columns[static_cast<std::size_t>(i)];
    geometry.columns.push_back({metrics.margin + metrics.column_spacing * i, column.node, column.role});
  }
  auto clamp_column = [column_count](int index) {
    return column_count == 0 ? 0 : std::clamp(index, 0, column_count - 1);
  };
  auto column_x = [&](int index) {
    return column_count == 0 ? metrics.margin : geometry.columns[static_cast<std::size_t>(index)].x;
  };
  const double first_row = metrics.margin + metrics.header_height + metrics.row_height;
  for (std::size_t i = 0; i < ladder.arrows.size(); ++i) {
    const LadderArrow& arrow = ladder.arrows[i];
    LadderArrowGeometry placed;
    placed.index = i;
    placed.from = clamp_column(arrow.from);
    placed.to = clamp_column(arrow.to);
    placed.y = first_row + metrics.row_height * static_cast<double>(i);
    placed.x_from = column_x(placed.from);
    placed.x_to = column_x(placed.to);
    placed.label = ArrowLabel(arrow.time_s, arrow.first_line, metrics.max_label_chars);
    geometry.arrows.push_back(std::move(placed));
  }
  const double last_column_x = column_count == 0 ? metrics.margin : geometry.columns.back().x;
  // The rightmost labels and self loops extend past the last lifeline.
  geometry.width = last_column_x + metrics.column_spacing + metrics.margin;
  geometry.height = first_row + metrics.row_height * static_cast<double>(ladder.arrows.size()) + metrics.margin;
  return geometry;
}

}  // namespace pushsim::dashboard
