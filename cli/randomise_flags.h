#pragma once
// The refusal that `seqseg synth` and `seqseg train` share for the flags that choose among the
// domain-randomised profiles or options (io/randomised_case.h): each means nothing without
// --randomise.
#include <stdexcept>
#include <string>

namespace seqseg {

inline void requireWithRandomise(bool given, bool randomise, const char* flag) {
  if (given && !randomise)
    throw std::invalid_argument(std::string(flag) + " is an option of --randomise: give both");
}

}  // namespace seqseg
