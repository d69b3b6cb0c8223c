// Sarama driver for Runnel's client matrix; see ../README.md. Built in GOPATH mode against
// Debian's golang-github-shopify-sarama-dev (bin/install-client-matrix).
//
//	driver BOOTSTRAP TOPIC GROUP produce COUNT CODECS ACKS   (CODECS, ACKS comma-separated)
//	driver BOOTSTRAP TOPIC GROUP consume COUNT
//	driver BOOTSTRAP TOPIC GROUP admin
//
// Prints one JSON line; exits non-zero when the phase did not complete.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
	"log"
)

const keys = 7
const deadline = 60 * time.Second

var codecs = map[string]sarama.CompressionCodec{"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD}
var acksLevels = map[string]sarama.RequiredAcks{"0": sarama.NoResponse, "1": sarama.WaitForLocal, "all": sarama.WaitForAll}

func config() *sarama.Config {
	c := sarama.NewConfig()
	// The newest protocol this Sarama knows; zstd needs at least 2.1.
	c.Version = sarama.V2_1_0_0
	c.ClientID = "runnel-matrix"
	// A retention makes Sarama commit with OffsetCommit v2; without one it sends v1, which
	// Kafka 4 no longer accepts (KIP-896).
	c.Consumer.Offsets.Retention = 7 * 24 * time.Hour
	return c
}

func produce(brokers []string, topic string, count int, codecList, acksList []string) (interface{}, bool) {
	var results []map[string]interface{}
	for _, codec := range codecList {
		for _, acks := range acksList {
			c := config()
			c.Producer.Compression = codecs[codec]
			c.Producer.RequiredAcks = acksLevels[acks]
			c.Producer.Return.Successes = true
			c.Producer.Flush.Frequency = 5 * time.Millisecond
			result := map[string]interface{}{"codec": codec, "acks": acks, "delivered": 0}
			producer, err := sarama.NewAsyncProducer(brokers, c)
			if err != nil {
				result["errors"] = []string{err.Error()}
				results = append(results, result)
				return map[string]interface{}{"produced": results}, false
			}
			for i := 0; i < count; i++ {
				producer.Input() <- &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i%keys)),
					Value: sarama.StringEncoder(fmt.Sprintf("%s-%s-%d", codec, acks, i))}
			}
			delivered, errors := 0, []string{}
			timeout := time.After(deadline)
		wait:
			for delivered+len(errors) < count {
				select {
				case <-producer.Successes():
					delivered++
				case e := <-producer.Errors():
					errors = append(errors, e.Err.Error())
				case <-timeout:
					break wait
				}
			}
			producer.AsyncClose()
			result["delivered"] = delivered
			if len(errors) > 5 {
				errors = errors[:5]
			}
			result["errors"] = errors
			results = append(results, result)
			if delivered != count {
				// The first level that fails is the one to look at; the rest would only add waiting.
				return map[string]interface{}{"produced": results}, false
			}
		}
	}
	return map[string]interface{}{"produced": results}, true
}

// taker keeps COUNT records across the group session's partition goroutines and marks each one
// it keeps, so the session commits exactly those when it ends.
type taker struct {
	mu      sync.Mutex
	count   int
	records [][]interface{}
	next    map[int32]int64
	done    context.CancelFunc
}

func (t *taker) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (t *taker) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (t *taker) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		t.mu.Lock()
		if len(t.records) < t.count {
			t.records = append(t.records, []interface{}{msg.Partition, msg.Offset, string(msg.Key), string(msg.Value)})
			t.next[msg.Partition] = msg.Offset + 1
			session.MarkMessage(msg, "")
			if len(t.records) == t.count {
				t.done()
			}
		}
		t.mu.Unlock()
	}
	return nil
}

func consume(brokers []string, topic, group string, count int) (interface{}, bool) {
	c := config()
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Return.Errors = false
	consumerGroup, err := sarama.NewConsumerGroup(brokers, group, c)
	if err != nil {
		return map[string]interface{}{"error": err.Error()}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	t := &taker{count: count, next: map[int32]int64{}, done: cancel}
	for ctx.Err() == nil {
		if err := consumerGroup.Consume(ctx, []string{topic}, t); err != nil {
			return map[string]interface{}{"error": err.Error(), "records": t.records}, false
		}
	}
	// Closing the group commits the marked offsets and leaves the group.
	if err := consumerGroup.Close(); err != nil {
		return map[string]interface{}{"error": err.Error(), "records": t.records}, false
	}
	return map[string]interface{}{"records": t.records, "committed": t.next}, len(t.records) == count
}

// describeCleanupPolicy uses an admin client of its own: this Sarama sends DescribeConfigs v0, which
// Kafka 4 no longer accepts (KIP-896) and answers by closing the connection, which would break every
// later call on a shared client. The failure is reported in place of the value, not fatal.
func describeCleanupPolicy(brokers []string, topic string) string {
	ca, err := sarama.NewClusterAdmin(brokers, config())
	if err != nil {
		return "error: " + err.Error()
	}
	defer ca.Close()
	entries, err := ca.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
	if err != nil {
		return "error: DescribeConfig: " + err.Error()
	}
	for _, e := range entries {
		if e.Name == "cleanup.policy" {
			return e.Value
		}
	}
	return "error: no cleanup.policy"
}

func admin(brokers []string, topic, group string) (interface{}, bool) {
	ca, err := sarama.NewClusterAdmin(brokers, config())
	if err != nil {
		return map[string]interface{}{"error": err.Error()}, false
	}
	defer ca.Close()
	fail := func(step string, err error) (interface{}, bool) {
		return map[string]interface{}{"error": step + ": " + err.Error()}, false
	}
	if err := ca.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false); err != nil {
		return fail("CreateTopic", err)
	}
	metadata, err := ca.DescribeTopics([]string{topic})
	if err != nil {
		return fail("DescribeTopics", err)
	}
	cleanup := describeCleanupPolicy(brokers, topic)
	listed, err := ca.ListConsumerGroups()
	if err != nil {
		return fail("ListConsumerGroups", err)
	}
	var listedNames []string
	for name := range listed {
		listedNames = append(listedNames, name)
	}
	groups, err := ca.DescribeConsumerGroups([]string{group})
	if err != nil {
		return fail("DescribeConsumerGroups", err)
	}
	described := map[string]interface{}{}
	for _, g := range groups {
		described[g.GroupId] = map[string]string{"state": g.State, "protocol_type": g.ProtocolType}
	}
	if err := ca.DeleteTopic(topic); err != nil {
		return fail("DeleteTopic", err)
	}
	return map[string]interface{}{"created": topic, "partitions": len(metadata[0].Partitions), "cleanup.policy": cleanup,
		"listed_groups": listedNames, "groups": described}, true
}

func main() {
	// Sarama's own log goes to stderr: the child's stderr is kept for the test's failure message.
	sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	brokers, topic, group, phase := strings.Split(os.Args[1], ","), os.Args[2], os.Args[3], os.Args[4]
	var result interface{}
	var ok bool
	switch phase {
	case "produce":
		count, _ := strconv.Atoi(os.Args[5])
		result, ok = produce(brokers, topic, count, strings.Split(os.Args[6], ","), strings.Split(os.Args[7], ","))
	case "consume":
		count, _ := strconv.Atoi(os.Args[5])
		result, ok = consume(brokers, topic, group, count)
	case "admin":
		result, ok = admin(brokers, topic, group)
	default:
		fmt.Fprintln(os.Stderr, "unknown phase "+phase)
		os.Exit(2)
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
	if !ok {
		os.Exit(1)
	}
}
