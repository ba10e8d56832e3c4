using System.Net;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.IntegrationTests.Platform;

internal sealed class OutboxTests : IntegrationTest
{
    [SetUp]
    public void ResetDeliveries() => DeliveryLog.Reset();

    private static OutboxDispatcher<NotesDbContext> NewDispatcher(Action<OutboxOptions>? configure = null)
    {
        var options = new OutboxOptions { BatchSize = 7, ImmediateRetries = 1, ImmediateRetryDelay = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        return ActivatorUtilities.CreateInstance<OutboxDispatcher<NotesDbContext>>(Factory.Services, Options.Create(options));
    }

    private static async Task<List<Guid>> RaiseEventsAsync(int count)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        var now = Factory.Time.UtcNow();
        var events = Enumerable.Range(0, count).Select(i => new NoteCreated(Guid.CreateVersion7(), $"event {i}", now)).ToList();
        events.ForEach(db.AddIntegrationEvent);
        await db.SaveChangesAsync();
        return events.Select(e => e.EventId).ToList();
    }

    private static async Task<List<Guid>> TagNotesAsync(params string[] tags)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        var now = Factory.Time.UtcNow();
        var events = tags.Select(tag => new NoteTagged(Guid.CreateVersion7(), tag, now)).ToList();
        events.ForEach(db.AddIntegrationEvent);
        await db.SaveChangesAsync();
        return events.Select(e => e.EventId).ToList();
    }

    private static async Task<OutboxMessage> MessageAsync(Guid id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotesDbContext>().OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    [Test]
    public async Task A_change_and_its_integration_event_commit_together()
    {
        var note = await ReadAsync<NoteItem>(await Client.PostAsync("/api/v1/notes", JsonBody(new { title = "签约", priority = "high" })), HttpStatusCode.Created);

        await using var scope = Factory.Services.CreateAsyncScope();
        var message = await scope.ServiceProvider.GetRequiredService<NotesDbContext>().OutboxMessages.AsNoTracking().SingleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(message.Type, Is.EqualTo(typeof(NoteCreated).FullName));
            Assert.That(message.Payload, Does.Contain(note.Id.ToString()).And.Contain("签约"));
            Assert.That(message.ProcessedAt, Is.Null);
        });
    }

    [Test]
    public async Task Two_dispatchers_on_one_database_deliver_each_event_once_per_consumer()
    {
        var ids = await RaiseEventsAsync(200);
        var first = NewDispatcher();
        var second = NewDispatcher();
        var claimed = 0;

        async Task DrainAsync(IOutboxDispatcher dispatcher)
        {
            int count;
            while ((count = await dispatcher.DispatchBatchAsync(CancellationToken.None)) > 0)
            {
                Interlocked.Add(ref claimed, count);
            }
        }

        await Task.WhenAll(DrainAsync(first), DrainAsync(second), DrainAsync(first), DrainAsync(second));
        await DrainAsync(first);

        var deliveries = DeliveryLog.Deliveries.ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(claimed, Is.EqualTo(200), "every message is claimed by exactly one dispatcher");
            Assert.That(deliveries, Has.Count.EqualTo(400));
            Assert.That(deliveries.Distinct().Count(), Is.EqualTo(400), "no consumer saw an event twice");
            Assert.That(deliveries.Where(d => d.Consumer == nameof(AuditConsumer)).Select(d => d.EventId), Is.EquivalentTo(ids));
            Assert.That(deliveries.Where(d => d.Consumer == nameof(FlakyConsumer)).Select(d => d.EventId), Is.EquivalentTo(ids));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.outbox_messages WHERE processed_at IS NULL"), Is.Zero);
        });
    }

    [Test]
    public async Task A_consumer_that_recovers_within_the_immediate_retries_gets_the_event_once()
    {
        var id = (await RaiseEventsAsync(1))[0];
        DeliveryLog.FlakyFailuresRemaining = 1;

        await NewDispatcher().DispatchBatchAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(DeliveryLog.Deliveries, Is.EquivalentTo(new[] { (nameof(AuditConsumer), id), (nameof(FlakyConsumer), id) }));
            Assert.That((await MessageAsync(id)).ProcessedAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task A_failing_consumer_is_retried_later_without_redelivering_to_the_others()
    {
        var id = (await RaiseEventsAsync(1))[0];
        DeliveryLog.FlakyFailuresRemaining = 2;
        var dispatcher = NewDispatcher(o => o.FirstBackoff = TimeSpan.FromSeconds(30));

        await dispatcher.DispatchBatchAsync(CancellationToken.None);
        var failed = await MessageAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(failed.ProcessedAt, Is.Null);
            Assert.That(failed.Attempts, Is.EqualTo(1));
            Assert.That(failed.LastError, Does.Contain("Downstream unavailable"));
            Assert.That(failed.NextAttemptAt, Is.EqualTo(Factory.Time.UtcNow().AddSeconds(30)).Within(TimeSpan.FromMilliseconds(1)));
        });

        Assert.That(await dispatcher.DispatchBatchAsync(CancellationToken.None), Is.Zero, "not due before its backoff");
        Factory.Time.Advance(TimeSpan.FromSeconds(31));
        await dispatcher.DispatchBatchAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(DeliveryLog.Deliveries, Is.EquivalentTo(new[] { (nameof(AuditConsumer), id), (nameof(FlakyConsumer), id) }));
            Assert.That((await MessageAsync(id)).ProcessedAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task An_unreadable_payload_is_dead_lettered_without_holding_up_the_rest_of_the_batch()
    {
        var ids = await RaiseEventsAsync(3);
        await CountAsync($"UPDATE sample_notes.outbox_messages SET payload = '{{\"noteId\": 5}}' WHERE id = '{ids[1]}' RETURNING 1");

        await NewDispatcher(o => o.MaxAttempts = 1).DispatchBatchAsync(CancellationToken.None);

        var poisoned = await MessageAsync(ids[1]);
        Assert.Multiple(async () =>
        {
            Assert.That(poisoned.DeadLetteredAt, Is.Not.Null);
            Assert.That(poisoned.LastError, Does.StartWith("Unreadable payload"));
            Assert.That((await MessageAsync(ids[0])).ProcessedAt, Is.Not.Null);
            Assert.That((await MessageAsync(ids[2])).ProcessedAt, Is.Not.Null);
            Assert.That(DeliveryLog.Deliveries.Select(d => d.EventId).Distinct(), Is.EquivalentTo(new[] { ids[0], ids[2] }));
        });
    }

    [Test]
    public async Task An_event_that_keeps_failing_is_dead_lettered_after_the_attempt_limit()
    {
        var id = (await RaiseEventsAsync(1))[0];
        DeliveryLog.FlakyFailuresRemaining = int.MaxValue;
        var dispatcher = NewDispatcher(o =>
        {
            o.MaxAttempts = 2;
            o.FirstBackoff = TimeSpan.FromSeconds(1);
        });

        await dispatcher.DispatchBatchAsync(CancellationToken.None);
        Factory.Time.Advance(TimeSpan.FromSeconds(2));
        await dispatcher.DispatchBatchAsync(CancellationToken.None);
        Factory.Time.Advance(TimeSpan.FromHours(1));

        Assert.Multiple(async () =>
        {
            Assert.That((await MessageAsync(id)).DeadLetteredAt, Is.Not.Null);
            Assert.That(await dispatcher.DispatchBatchAsync(CancellationToken.None), Is.Zero);
        });
    }

    [Test]
    public async Task A_batch_consumer_gets_all_the_claimed_events_of_its_type_in_one_call()
    {
        var ids = await TagNotesAsync("vip", "重点", "renewal", "lost", "won");

        Assert.That(await NewDispatcher().DispatchBatchAsync(CancellationToken.None), Is.EqualTo(5));

        Assert.Multiple(async () =>
        {
            Assert.That(DeliveryLog.BatchCalls.Select(c => c.Length), Is.EqualTo(new[] { 5 }));
            Assert.That(DeliveryLog.Deliveries.Select(d => d.EventId), Is.EquivalentTo(ids));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.outbox_deliveries"), Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.outbox_messages WHERE processed_at IS NULL"), Is.Zero);
        });
    }

    [Test]
    public async Task A_failing_batch_is_retried_event_by_event_so_only_the_bad_event_waits()
    {
        var ids = await TagNotesAsync("vip", NoteTagged.Poison, "won");

        await NewDispatcher(o => o.ImmediateRetries = 0).DispatchBatchAsync(CancellationToken.None);

        var poisoned = await MessageAsync(ids[1]);
        Assert.Multiple(async () =>
        {
            Assert.That(DeliveryLog.BatchCalls.Select(c => c.Length), Is.EqualTo(new[] { 3, 1, 1, 1 }), "the batch, then each event alone");
            Assert.That(DeliveryLog.Deliveries.Select(d => d.EventId), Is.EquivalentTo(new[] { ids[0], ids[2] }));
            Assert.That(poisoned.ProcessedAt, Is.Null);
            Assert.That(poisoned.Attempts, Is.EqualTo(1));
            Assert.That(poisoned.LastError, Does.Contain("Cannot tag with poison"));
            Assert.That((await MessageAsync(ids[0])).ProcessedAt, Is.Not.Null);
            Assert.That((await MessageAsync(ids[2])).ProcessedAt, Is.Not.Null);
        });
    }
}
