// CMemory is a header of inline functions; a C target needs a source file to build.
#include "CMemory.h"
