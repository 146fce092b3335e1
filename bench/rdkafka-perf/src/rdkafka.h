/* The example includes "rdkafka.h" as inside librdkafka's tree; the installed header. */
#include <librdkafka/rdkafka.h>
