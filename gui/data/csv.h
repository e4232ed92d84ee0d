// CSV fields (RFC 4180 quoting) and numbers that read back to the same double.
#ifndef PUSHSIM_GUI_DATA_CSV_H_
#define PUSHSIM_GUI_DATA_CSV_H_

#include <string>

namespace pushsim::dashboard {

std::string CsvField(const std::string& text);
std::string CsvNumber(double value);  // shortest text that round-trips

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_DATA_CSV_H_
