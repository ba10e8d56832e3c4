using Crm.SharedKernel.Outbox;

namespace Crm.UnitTests.Outbox;

internal sealed class OutboxMessageTests
{
    private sealed record Happened(DateTimeOffset At) : IntegrationEvent(At);

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_new_message_is_due_at_once_and_keeps_the_event_id()
    {
        var happened = new Happened(T0);
        var message = OutboxMessage.Create(happened, "{}");
        Assert.Multiple(() =>
        {
            Assert.That(message.Id, Is.EqualTo(happened.EventId));
            Assert.That(message.NextAttemptAt, Is.EqualTo(T0));
            Assert.That(message.Type, Is.EqualTo(typeof(Happened).FullName));
        });
    }

    [Test]
    public void Failures_back_off_exponentially_up_to_the_cap_then_dead_letter()
    {
        var options = new OutboxOptions { FirstBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(30), MaxAttempts = 5 };
        var message = OutboxMessage.Create(new Happened(T0), "{}");
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            message.MarkFailed(T0, "boom", options);
            delays.Add(message.NextAttemptAt - T0);
        }

        Assert.That(delays, Is.EqualTo(new[] { 5, 10, 20, 30 }.Select(s => TimeSpan.FromSeconds(s))));
        Assert.That(message.DeadLetteredAt, Is.Null);

        message.MarkFailed(T0, new string('x', 5000), options);

        Assert.Multiple(() =>
        {
            Assert.That(message.DeadLetteredAt, Is.EqualTo(T0));
            Assert.That(message.LastError, Has.Length.EqualTo(2000));
        });
    }
}
