// The text of results/schema.sql, compiled into the program.
#pragma once

namespace pushsim::runner {

extern const char* const kSchemaSql;

}  // namespace pushsim::runner
