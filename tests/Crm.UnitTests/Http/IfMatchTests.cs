using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Microsoft.AspNetCore.Http;

namespace Crm.UnitTests.Http;

internal sealed class IfMatchTests
{
    private static IfMatch Parse(string? header)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers.IfMatch = header;
        }

        return IfMatch.From(context.Request);
    }

    [Test]
    public void The_etag_of_a_row_version_is_a_quoted_strong_tag() => Assert.That(EntityTag.For(7342), Is.EqualTo("\"7342\""));

    [TestCase(null, 5u, true)]
    [TestCase("*", 5u, true)]
    [TestCase("\"5\"", 5u, true)]
    [TestCase("\"4\", \"5\"", 5u, true)]
    [TestCase("\"4\"", 5u, false)]
    [TestCase("W/\"5\"", 5u, false)]
    [TestCase("\"abc\"", 5u, false)]
    public void If_match_uses_strong_comparison(string? header, uint version, bool matches)
    {
        Assert.That(Parse(header).Matches(version), Is.EqualTo(matches));
    }

    [Test]
    public void A_stale_tag_is_a_412_that_names_the_current_etag()
    {
        var error = Assert.Throws<PreconditionFailedException>(() => Parse("\"4\"").EnsureMatches(5))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(412));
            Assert.That(error.Message, Does.Contain("\"5\""));
        });
    }

    [Test]
    public void An_unparseable_header_is_a_validation_error()
    {
        Assert.Throws<ValidationFailedException>(() => Parse("5"));
    }
}
