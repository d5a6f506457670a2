#include "CXMLShim.h"
#include <libxml/xmlerror.h>

static void fs_xml_ignore(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

void fs_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, fs_xml_ignore);
    xmlThrDefSetGenericErrorFunc(NULL, fs_xml_ignore);
}
