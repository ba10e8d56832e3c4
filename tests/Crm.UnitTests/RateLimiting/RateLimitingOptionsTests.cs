using Crm.Api.Hosting;
using Microsoft.AspNetCore.Http;

namespace Crm.UnitTests.RateLimiting;

internal sealed class RateLimitingOptionsTests
{
    private static readonly RateLimitPolicy TenPerMinute = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    [Test]
    public void The_defaults_are_valid_and_enabled()
    {
        var options = new RateLimitingOptions();
        Assert.Multiple(() =>
        {
            Assert.That(new RateLimitingOptionsValidator().Validate(null, options).Succeeded, Is.True);
            Assert.That(options.Enabled, Is.True);
            Assert.That((options.Users.PermitLimit, options.ApiKeys.PermitLimit, options.Anonymous.PermitLimit), Is.EqualTo((600, 1200, 120)));
            Assert.That(options.LongestWindow, Is.EqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [TestCase(0, "00:01:00", "RateLimiting:Users:PermitLimit must be positive (was 0).")]
    [TestCase(-5, "00:01:00", "RateLimiting:Users:PermitLimit must be positive (was -5).")]
    [TestCase(10, "00:00:00", "RateLimiting:Users:Window must be a whole number of seconds, at least 00:00:01 (was 00:00:00).")]
    [TestCase(10, "00:00:01.5000000", "RateLimiting:Users:Window must be a whole number of seconds, at least 00:00:01 (was 00:00:01.5000000).")]
    public void Limits_that_would_block_everything_or_windows_the_headers_cannot_express_are_refused(int permitLimit, string window, string message)
    {
        var options = new RateLimitingOptions { Users = new() { PermitLimit = permitLimit, Window = TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture) } };

        var result = new RateLimitingOptionsValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EqualTo(new[] { message }));
    }

    [Test]
    public void An_allowed_request_gets_limit_remaining_reset_and_policy_headers()
    {
        IHeaderDictionary headers = new HeaderDictionary();

        RateLimitingMiddleware.WriteHeaders(headers, new RateLimitDecision(true, TenPerMinute, 7, TimeSpan.FromSeconds(41.2), FirstRefusal: false));

        Assert.Multiple(() =>
        {
            Assert.That(headers["RateLimit-Limit"].ToString(), Is.EqualTo("10"));
            Assert.That(headers["RateLimit-Remaining"].ToString(), Is.EqualTo("7"));
            Assert.That(headers["RateLimit-Reset"].ToString(), Is.EqualTo("42"));
            Assert.That(headers["RateLimit-Policy"].ToString(), Is.EqualTo("10;w=60"));
            Assert.That(headers.ContainsKey("Retry-After"), Is.False);
        });
    }

    [Test]
    public void A_refused_request_also_gets_retry_after_equal_to_the_reset()
    {
        IHeaderDictionary headers = new HeaderDictionary();

        RateLimitingMiddleware.WriteHeaders(headers, new RateLimitDecision(false, TenPerMinute, 0, TimeSpan.FromSeconds(41.2), FirstRefusal: true));

        Assert.Multiple(() =>
        {
            Assert.That(headers["RateLimit-Remaining"].ToString(), Is.EqualTo("0"));
            Assert.That(headers.RetryAfter.ToString(), Is.EqualTo("42"));
        });
    }

    [TestCase("00:00:01", "1 second")]
    [TestCase("00:00:30", "30 seconds")]
    [TestCase("00:01:30", "90 seconds")]
    [TestCase("00:01:00", "1 minute")]
    [TestCase("00:15:00", "15 minutes")]
    [TestCase("01:00:00", "1 hour")]
    [TestCase("1.00:00:00", "24 hours")]
    public void Windows_are_described_in_the_largest_whole_unit(string window, string words) =>
        Assert.That(RateLimitingMiddleware.Describe(TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(words));
}
