using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Http;

namespace Crm.UnitTests.Security;

internal sealed class CurrentActorTests
{
    [Test]
    public void Outside_a_request_the_actor_is_the_system()
    {
        var actor = new HttpCurrentActor(new HttpContextAccessor());

        Assert.Multiple(() =>
        {
            Assert.That(actor.Kind, Is.EqualTo(HttpCurrentActor.SystemKind));
            Assert.That(actor.Key, Is.EqualTo(HttpCurrentActor.SystemKind));
            Assert.That(actor.Id, Is.Null);
        });
    }

    [Test]
    public void A_request_without_credentials_is_anonymous()
    {
        var actor = new HttpCurrentActor(new HttpContextAccessor { HttpContext = new DefaultHttpContext() });

        Assert.That(actor.Kind, Is.EqualTo(HttpCurrentActor.AnonymousKind));
        Assert.That(actor.Key, Is.EqualTo(HttpCurrentActor.AnonymousKind));
    }
}
