using System.Net;
using System.Security.Claims;
using Crm.Api.Hosting;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Http;

namespace Crm.UnitTests.RateLimiting;

internal sealed class RateLimitPartitionTests
{
    private static readonly RateLimitingOptions Options = new();

    private static HttpCurrentActor Actor(params Claim[] claims) => new(new HttpContextAccessor
    {
        HttpContext = new DefaultHttpContext
        {
            User = claims.Length == 0 ? new ClaimsPrincipal(new ClaimsIdentity()) : new ClaimsPrincipal(new ClaimsIdentity(claims, "test")),
        },
    });

    [Test]
    public void A_user_is_counted_by_id_under_the_user_limits()
    {
        var id = Guid.CreateVersion7();
        var partition = RateLimitPartition.For(Actor(new Claim(CrmClaimTypes.Subject, id.ToString())), IPAddress.Parse("203.0.113.10"), Options);

        Assert.Multiple(() =>
        {
            Assert.That(partition.Key, Is.EqualTo($"user:{id:N}"));
            Assert.That(partition.Policy, Is.SameAs(Options.Users));
        });
    }

    [Test]
    public void An_api_key_is_counted_by_id_under_the_api_key_limits()
    {
        var id = Guid.CreateVersion7();
        var partition = RateLimitPartition.For(
            Actor(new Claim(CrmClaimTypes.Subject, id.ToString()), new Claim(CrmClaimTypes.ActorKind, HttpCurrentActor.ApiKeyKind)), null, Options);

        Assert.Multiple(() =>
        {
            Assert.That(partition.Key, Is.EqualTo($"apiKey:{id:N}"));
            Assert.That(partition.Policy, Is.SameAs(Options.ApiKeys));
        });
    }

    [Test]
    public void An_anonymous_caller_is_counted_by_address_under_the_anonymous_limits()
    {
        var partition = RateLimitPartition.For(Actor(), IPAddress.Parse("203.0.113.10"), Options);

        Assert.Multiple(() =>
        {
            Assert.That(partition.Key, Is.EqualTo("anonymous:203.0.113.10"));
            Assert.That(partition.Policy, Is.SameAs(Options.Anonymous));
        });
    }

    [Test]
    public void A_signed_in_caller_without_an_id_is_counted_as_anonymous_by_address()
    {
        var partition = RateLimitPartition.For(Actor(new Claim(CrmClaimTypes.Name, "no subject")), IPAddress.Parse("203.0.113.10"), Options);
        Assert.That((partition.Key, partition.Policy), Is.EqualTo(("anonymous:203.0.113.10", Options.Anonymous)));
    }

    [TestCase(null, "anonymous")]
    [TestCase("198.51.100.7", "anonymous:198.51.100.7")]
    [TestCase("::ffff:198.51.100.7", "anonymous:198.51.100.7")]
    [TestCase("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "anonymous:2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2::1", "anonymous:2001:db8:1:2::/64")]
    [TestCase("fe80::1%3", "anonymous:fe80::/64")]
    [TestCase("::1", "anonymous:::/64")]
    public void Anonymous_keys_are_the_address_and_an_ipv6_network_per_64(string? address, string key) =>
        Assert.That(RateLimitPartition.AnonymousKey(address is null ? null : IPAddress.Parse(address)), Is.EqualTo(key));
}
