#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with the copy Foundation ships.
   flexsync never touches the one struct that changes shape with it (xmlCharEncodingHandler). */
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
