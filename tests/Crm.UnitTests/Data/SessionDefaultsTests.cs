using Crm.SharedKernel.Data;
using Npgsql;

namespace Crm.UnitTests.Data;

internal sealed class SessionDefaultsTests
{
    [Test]
    public void Jit_is_switched_off_next_to_the_options_already_given()
    {
        var applied = new NpgsqlConnectionStringBuilder(
            SessionDefaults.Apply(new NpgsqlConnectionStringBuilder("Host=db;Options=-c statement_timeout=5s")));

        Assert.That(applied.Options, Is.EqualTo("-c statement_timeout=5s -c jit=off"));
    }

    [Test]
    public void An_operator_setting_for_jit_wins()
    {
        var applied = new NpgsqlConnectionStringBuilder(SessionDefaults.Apply(new NpgsqlConnectionStringBuilder("Host=db;Options=-c jit=on")));

        Assert.That(applied.Options, Is.EqualTo("-c jit=on"));
    }

    [Test]
    public void A_connection_string_without_options_gets_the_defaults()
    {
        var applied = new NpgsqlConnectionStringBuilder(SessionDefaults.Apply(new NpgsqlConnectionStringBuilder("Host=db")));

        Assert.That(applied.Options, Is.EqualTo(SessionDefaults.Jit));
    }
}
