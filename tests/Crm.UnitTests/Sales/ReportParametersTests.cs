using Crm.Modules.Sales.Features.Funnel;
using Crm.SharedKernel.Errors;

namespace Crm.UnitTests.Sales;

internal sealed class ReportParametersTests
{
    [Test]
    public void A_period_starts_at_local_midnight_of_the_report_time_zone()
    {
        var shanghai = ReportParameters.Zone("Asia/Shanghai");
        Assert.Multiple(() =>
        {
            Assert.That(ReportParameters.StartOf(new DateOnly(2026, 10, 1), shanghai), Is.EqualTo(new DateTimeOffset(2026, 9, 30, 16, 0, 0, TimeSpan.Zero)));
            Assert.That(ReportParameters.StartOf(new DateOnly(2026, 10, 1), ReportParameters.Zone(null)), Is.EqualTo(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(ReportParameters.StartOf(new DateOnly(2026, 10, 1), shanghai).Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void Today_is_the_date_in_the_report_time_zone()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.Zero));
        Assert.Multiple(() =>
        {
            Assert.That(ReportParameters.Today(time, ReportParameters.Zone("Asia/Shanghai")), Is.EqualTo(new DateOnly(2027, 1, 1)));
            Assert.That(ReportParameters.Today(time, ReportParameters.Zone("UTC")), Is.EqualTo(new DateOnly(2026, 12, 31)));
        });
    }

    [TestCase(null, "CNY")]
    [TestCase(" usd ", "USD")]
    public void The_currency_defaults_to_CNY_and_is_upper_cased(string? value, string expected) =>
        Assert.That(ReportParameters.Currency(value), Is.EqualTo(expected));

    [TestCase("yuan")]
    [TestCase("U$D")]
    public void A_currency_that_is_not_three_letters_is_a_400_on_currency(string value) =>
        Assert.That(Assert.Throws<ValidationFailedException>(() => ReportParameters.Currency(value))!.Errors.Keys, Is.EqualTo(new[] { "currency" }));

    [TestCase("Mars/Olympus")]
    [TestCase("not a zone")]
    public void An_unknown_time_zone_is_a_400_on_timeZone(string value) =>
        Assert.That(Assert.Throws<ValidationFailedException>(() => ReportParameters.Zone(value))!.Errors.Keys, Is.EqualTo(new[] { "timeZone" }));
}
