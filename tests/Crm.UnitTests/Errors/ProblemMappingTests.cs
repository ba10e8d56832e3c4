using System.Text.Json;
using Crm.Api.Hosting;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;

namespace Crm.UnitTests.Errors;

internal sealed class ProblemMappingTests
{
    [TestCase(404, "not-found")]
    [TestCase(405, "method-not-allowed")]
    [TestCase(412, "precondition-failed")]
    [TestCase(413, "payload-too-large")]
    [TestCase(415, "unsupported-media-type")]
    [TestCase(429, "too-many-requests")]
    [TestCase(500, "internal-error")]
    public void Every_status_has_a_stable_problem_type(int status, string slug) =>
        Assert.That(ProblemTypes.ForStatus(status), Is.EqualTo(ProblemTypes.BaseUri + slug));

    [Test]
    public void Validation_failures_are_grouped_by_camel_case_json_path()
    {
        var error = ValidationFailedException.From([("Name", "a"), ("Name", "b"), ("Contacts[0].Email", "c"), ("Name", "a")]);
        Assert.Multiple(() =>
        {
            Assert.That(error.Errors["name"], Is.EqualTo(new[] { "a", "b" }));
            Assert.That(error.Errors["contacts[0].email"], Is.EqualTo(new[] { "c" }));
        });
    }

    private sealed record Amount(decimal Value, int Count);

    [TestCase("{\"value\": \"12.5\", \"count\": 1}")]
    [TestCase("{\"value\": 12.5, \"count\": \"1\"}")]
    public void Json_numbers_sent_as_strings_are_refused(string json)
    {
        var options = new JsonSerializerOptions();
        JsonSetup.Configure(options);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Amount>(json, options));
    }

    [TestCase("C.UTF-8", true)]
    [TestCase("en_US.utf8", true)]
    [TestCase("zh_CN.UTF-8", true)]
    [TestCase("C", false)]
    [TestCase("POSIX", false)]
    public void Only_utf8_ctypes_are_accepted(string ctype, bool accepted) => Assert.That(DatabaseMigrator.IsUtf8(ctype), Is.EqualTo(accepted));
}
