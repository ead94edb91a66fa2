package dev.docproc.pipeline;

import dev.docproc.domain.outbox.DocumentReceived;
import dev.docproc.domain.outbox.Topics;
import dev.docproc.pipeline.answer.AnswerService;
import dev.docproc.pipeline.answer.PageTaskHandler;
import dev.docproc.pipeline.kafka.ConsumerLoop;
import dev.docproc.pipeline.kafka.RetryPolicy;
import dev.docproc.pipeline.render.RenderService;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs the pipeline on this node while the application is deployed: creates the topics, starts the
 * outbox relay, the render consumers and the inference consumers on managed threads, and stops them
 * on undeploy.
 *
 * <p>Starts after the schema migration bean (db-migrations): the relay and the consumers read
 * tables from their first moment; and after the inference bean (ejb-inference), which therefore
 * stops only after the inference consumers have.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigration", "Inference"})
@TransactionManagement(TransactionManagementType.BEAN)
public class Pipeline {

  private static final Logger LOG = Logger.getLogger(Pipeline.class.getName());
  private static final Duration STOP_WAIT = Duration.ofSeconds(20);
  static final String RENDER_GROUP = "docproc-render";
  static final String ANSWER_GROUP = "docproc-answer";

  @Resource private ManagedThreadFactory threads;
  @Inject private PipelineSettings settings;
  @Inject private OutboxPublisher outboxPublisher;
  @Inject private RenderService renderService;
  @Inject private AnswerService answerService;

  private Producer<String, String> producer;
  private OutboxRelay relay;
  private final List<ConsumerLoop> consumers = new ArrayList<>();

  @PostConstruct
  void start() {
    createTopics();
    producer =
        new KafkaProducer<>(producerConfig(), new StringSerializer(), new StringSerializer());
    relay =
        new OutboxRelay(
            outboxPublisher,
            producer,
            settings.relayBatchSize(),
            settings.relayInterval(),
            settings.retryPolicy().maxBackoff());
    threads.newThread(relay).start();
    for (int i = 0; i < settings.renderConsumers(); i++) {
      start(
          RENDER_GROUP,
          // one document at a time: rendering one can take a while, and each is committed alone
          Duration.ofMinutes(10),
          Topics.DOCUMENTS,
          (record, attempt) -> renderService.render(parse(record.value()), attempt));
    }
    // every try of a page task may wait for its answer as long as the timeout allows
    RetryPolicy retry = settings.retryPolicy();
    Duration answerPollInterval =
        settings
            .answerTimeout()
            .plus(retry.maxBackoff())
            .multipliedBy(retry.maxAttempts())
            .plusMinutes(1);
    for (int i = 0; i < settings.answerConsumers(); i++) {
      start(ANSWER_GROUP, answerPollInterval, Topics.PAGES, new PageTaskHandler(answerService));
    }
    LOG.info(
        () ->
            "Pipeline started: outbox relay, "
                + settings.renderConsumers()
                + " render and "
                + settings.answerConsumers()
                + " inference consumer(s) on "
                + settings.bootstrapServers());
  }

  private void start(
      String group, Duration maxPollInterval, String topic, ConsumerLoop.Handler handler) {
    ConsumerLoop loop =
        new ConsumerLoop(
            new KafkaConsumer<>(
                consumerConfig(group, maxPollInterval),
                new StringDeserializer(),
                new StringDeserializer()),
            topic,
            handler,
            settings.retryPolicy(),
            producer);
    consumers.add(loop);
    threads.newThread(loop).start();
  }

  @PreDestroy
  void stop() {
    try {
      consumers.forEach(ConsumerLoop::shutdown);
      answerService.cancelWaiting();
      for (ConsumerLoop loop : consumers) {
        loop.awaitStopped(STOP_WAIT);
      }
      relay.shutdown(STOP_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      producer.close(STOP_WAIT);
    }
  }

  private static DocumentReceived parse(String value) {
    try {
      return DocumentReceived.fromJson(value);
    } catch (IllegalArgumentException e) {
      throw new ConsumerLoop.MalformedRecordException("not a DocumentReceived event", e);
    }
  }

  /**
   * Creates the topics and their dead-letter topics if missing. A broker that is not up yet delays
   * the deployment a little and is logged; the relay and consumers retry on their own.
   */
  private void createTopics() {
    Set<String> names =
        Stream.of(Topics.DOCUMENTS, Topics.PAGES)
            .flatMap(t -> Stream.of(t, Topics.deadLetter(t)))
            .collect(Collectors.toSet());
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          names.stream()
              .filter(n -> !existing.contains(n))
              .map(n -> new NewTopic(n, settings.partitions(), (short) 1))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.WARNING, "Could not create the topics " + names + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Map<String, Object> producerConfig() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        settings.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true,
        ProducerConfig.LINGER_MS_CONFIG,
        5);
  }

  private Map<String, Object> consumerConfig(String group, Duration maxPollInterval) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        settings.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG,
        group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
        false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest",
        // one record at a time, each committed alone; its handling may take maxPollInterval
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        1,
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        (int) Math.min(Integer.MAX_VALUE, maxPollInterval.toMillis()));
  }
}
