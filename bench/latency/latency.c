/*
 * Fixed-rate latency load for the produce benchmark (bench/produce.mjs), on
 * librdkafka in C: one process, one producer and one consumer, so that the
 * client's own overhead (a Python interpreter's GIL and sleeps, say) stays
 * out of the figures as far as a client can.
 *
 *   latency <bootstrap> <topic> <count> <rate> <size> <linger.ms> <ack-out> <e2e-out|->
 *
 * A warm-up record goes first; then the consumer is assigned partition 0 at
 * its end and polls for a second before the clock starts. The producer then sends <count> records of
 * <size> bytes to partition 0, acks=-1, on an absolute schedule of <rate>
 * per second (every record that is due is sent, then it sleeps until the
 * next one is due, so a late wake-up does not lower the rate). Each value
 * starts with the CLOCK_MONOTONIC time it was produced at: both ends are in
 * this process, so the consumer's arrival time minus it is the end-to-end
 * latency. One produce-to-acknowledgement and one end-to-end latency
 * (microseconds) per record go to the two files; "-" skips the consumer.
 * Prints "achieved <rate> failed <n> received <n>".
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>

static int64_t now_ns (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die (const char *what, const char *why) {
  fprintf(stderr, "latency: %s: %s\n", what, why);
  exit(1);
}

static void set (rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(key, err);
}

static int64_t *ack_us, *e2e_us;
static long acks, failed, count;
static volatile long received;
static volatile int consumer_ready, stop_consumer;

/* Delivery reports run in the producer thread's rd_kafka_poll(). */
static void on_delivery (rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk; (void)opaque;
  if (m->err) { failed++; return; }
  int64_t sent;
  memcpy(&sent, m->payload, sizeof sent);
  if (sent == 0) return; /* the warm-up record */
  if (acks < count) ack_us[acks++] = (now_ns() - sent) / 1000;
}

struct consumer_args { rd_kafka_t *rk; };

static void *consume (void *p) {
  rd_kafka_t *rk = ((struct consumer_args *)p)->rk;
  int64_t started = now_ns();
  while (!stop_consumer) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    int64_t arrived = now_ns();
    if (!consumer_ready && arrived - started > 1000000000) consumer_ready = 1;
    if (m == NULL) continue;
    if (!m->err && m->len >= sizeof(int64_t)) {
      int64_t sent;
      memcpy(&sent, m->payload, sizeof sent);
      if (sent != 0 && received < count) e2e_us[received++] = (arrived - sent) / 1000;
    }
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

static void write_all (const char *file, const int64_t *xs, long n) {
  FILE *f = fopen(file, "w");
  if (f == NULL) die(file, strerror(errno));
  for (long i = 0; i < n; i++) fprintf(f, "%" PRId64 "\n", xs[i]);
  fclose(f);
}

int main (int argc, char **argv) {
  if (argc != 9) die("usage", "latency <bootstrap> <topic> <count> <rate> <size> <linger.ms> <ack-out> <e2e-out|->");
  const char *bootstrap = argv[1], *topic = argv[2], *ack_out = argv[7], *e2e_out = argv[8];
  count = atol(argv[3]);
  long rate = atol(argv[4]);
  size_t size = (size_t)atol(argv[5]);
  int with_consumer = strcmp(e2e_out, "-") != 0;
  if (count <= 0 || rate <= 0 || size < sizeof(int64_t)) die("arguments", "count and rate must be > 0, size >= 8");
  ack_us = calloc((size_t)count, sizeof *ack_us);
  e2e_us = calloc((size_t)count, sizeof *e2e_us);
  char err[512];

  rd_kafka_conf_t *pc = rd_kafka_conf_new();
  set(pc, "bootstrap.servers", bootstrap);
  set(pc, "acks", "-1");
  set(pc, "linger.ms", argv[6]);
  rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
  rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
  if (producer == NULL) die("producer", err);

  char *value = malloc(size);
  memset(value, 'x', size);
  /* A warm-up record, waited for: connections, metadata and the leader are
   * in place before the clock starts. */
  memset(value, 0, sizeof(int64_t));
  if (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(value, size),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) die("produce", "warm-up");
  if (rd_kafka_flush(producer, 30000)) die("flush", "warm-up record not delivered");
  /* The consumer starts after the warm-up record, which also made sure the
   * topic exists (auto-created by the producer's metadata request). */
  rd_kafka_t *consumer = NULL;
  pthread_t consumer_thread;
  struct consumer_args cargs;
  if (with_consumer) {
    rd_kafka_conf_t *cc = rd_kafka_conf_new();
    set(cc, "bootstrap.servers", bootstrap);
    set(cc, "group.id", "bench-latency");
    set(cc, "enable.auto.commit", "false");
    set(cc, "fetch.wait.max.ms", "500");
    set(cc, "fetch.min.bytes", "1");
    consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
    if (consumer == NULL) die("consumer", err);
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t e = rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) die("assign", rd_kafka_err2str(e));
    cargs.rk = consumer;
    pthread_create(&consumer_thread, NULL, consume, &cargs);
  }

  while (with_consumer && !consumer_ready) { struct timespec ms = { 0, 10000000 }; nanosleep(&ms, NULL); }

  int64_t t0 = now_ns();
  long sent = 0;
  while (sent < count) {
    long due = (long)((double)(now_ns() - t0) * rate / 1e9) + 1;
    if (due > count) due = count;
    for (; sent < due; sent++) {
      int64_t t = now_ns();
      memcpy(value, &t, sizeof t);
      rd_kafka_resp_err_t e;
      while ((e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(value, size),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(producer, 1);
      if (e) die("produce", rd_kafka_err2str(e));
    }
    rd_kafka_poll(producer, 0);
    int64_t next = t0 + (int64_t)((double)sent * 1e9 / rate);
    struct timespec ts = { next / 1000000000, next % 1000000000 };
    if (next > now_ns()) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  }
  rd_kafka_flush(producer, 60000);
  double elapsed = (double)(now_ns() - t0) / 1e9;
  if (with_consumer) {
    int64_t deadline = now_ns() + 30000000000LL;
    while (received < count && now_ns() < deadline) { struct timespec ms = { 0, 10000000 }; nanosleep(&ms, NULL); }
    stop_consumer = 1;
    pthread_join(consumer_thread, NULL);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    write_all(e2e_out, e2e_us, received);
  }
  write_all(ack_out, ack_us, acks);
  rd_kafka_destroy(producer);
  printf("achieved %ld failed %ld received %ld\n", (long)(count / elapsed), failed + (count - acks), (long)received);
  return 0;
}
