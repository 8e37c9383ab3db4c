// The rules for keyword and symbol names, shared by the Value factories and
// the EDN reader so that every name a Value can hold prints as EDN that
// reads back to it.
//
// A name is "name" or "ns/name". Both parts use letters, digits, non-ASCII
// characters and . * + ! - _ ? $ % & = < > : # '; '/' only as the name "/"
// ("/" or "ns//"). A symbol's leading part does not start with a digit, nor
// with - + . followed by a digit; neither part starts with ':' or '#'; no
// part ends with ':' or holds "::". A qualified name's name part follows the
// symbol rule too. Unqualified keywords may start with a digit (:1). The
// symbols nil, true and false do not exist (they read as values).
#ifndef STRATA_CORE_NAMES_H_
#define STRATA_CORE_NAMES_H_

#include <string>
#include <string_view>

namespace strata {

// Splits at the first '/': "a/b" -> ("a", "b"); "/" and "b" -> ("", ...);
// "a//" -> ("a", "/").
void SplitQualifiedName(std::string_view qualified, std::string_view* ns, std::string_view* name);

// Empty if ns/name is a valid keyword (`keyword`) or symbol name; otherwise
// what is wrong with it, as a sentence fragment for an error message.
std::string InvalidNameReason(bool keyword, std::string_view ns, std::string_view name);

}  // namespace strata

#endif  // STRATA_CORE_NAMES_H_
