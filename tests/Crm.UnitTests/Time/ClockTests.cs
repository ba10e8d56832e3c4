using Crm.SharedKernel.Time;
using Microsoft.Extensions.Time.Testing;

namespace Crm.UnitTests.Time;

internal sealed class ClockTests
{
    [Test]
    public void The_clock_reads_the_time_provider_at_postgresql_precision()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_567));

        var now = time.UtcNow();

        Assert.Multiple(() =>
        {
            Assert.That(now, Is.EqualTo(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_560)));
            Assert.That(now.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }
}
