using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;

namespace Crm.UnitTests.Http;

internal sealed class QueryEnumTests
{
    internal enum Stage
    {
        Potential,
        KeyAccount,
    }

    [TestCase("keyAccount", Stage.KeyAccount)]
    [TestCase("KEYACCOUNT", Stage.KeyAccount)]
    [TestCase(" potential ", Stage.Potential)]
    public void Names_parse_in_any_case(string value, Stage expected) => Assert.That(QueryEnum.Parse<Stage>(value, "stage"), Is.EqualTo(expected));

    [Test]
    public void An_absent_value_is_no_filter() => Assert.That(QueryEnum.Parse<Stage>(null, "stage"), Is.Null);

    [TestCase("1")]
    [TestCase("vip")]
    public void Numbers_and_unknown_names_are_a_400_listing_the_allowed_values(string value)
    {
        var error = Assert.Throws<ValidationFailedException>(() => QueryEnum.Parse<Stage>(value, "stage"))!;
        Assert.That(error.Errors["stage"][0], Does.Contain("potential, keyAccount"));
    }
}
