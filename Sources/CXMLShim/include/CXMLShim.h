#ifndef FLEXSYNC_CXMLSHIM_H
#define FLEXSYNC_CXMLSHIM_H

/* Sets libxml2's generic error handler, whose type is variadic and so cannot be written in
   Swift, to one that prints nothing: flexsync reports libxml2's errors through its own
   (xmlParseChunk's "encoder error" went to stderr before flexsync's message). */
void fs_xml_silence_generic_errors(void);

#endif
