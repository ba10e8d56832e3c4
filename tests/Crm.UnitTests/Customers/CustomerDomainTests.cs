using Crm.Modules.Customers.Domain;

namespace Crm.UnitTests.Customers;

internal sealed class CustomerIdentifierTests
{
    [TestCase("91350100M000100Y43")]
    [TestCase("91110000600037341L")]
    [TestCase("91440300708461136t")]
    public void Valid_unified_social_credit_codes_pass(string code) => Assert.That(CustomerIdentifiers.IsValidCreditCode(code), Is.True);

    [TestCase("91350100M000100Y44", TestName = "Wrong check character")]
    [TestCase("91350100M000100Y4", TestName = "17 characters")]
    [TestCase("91350100I000100Y43", TestName = "I is not in the alphabet")]
    [TestCase("", TestName = "Empty")]
    public void Invalid_unified_social_credit_codes_fail(string code) => Assert.That(CustomerIdentifiers.IsValidCreditCode(code), Is.False);

    [TestCase("11010519491231002X")]
    [TestCase("11010519491231002x")]
    [TestCase("110101199003074477")]
    public void Valid_resident_id_numbers_pass(string id) => Assert.That(CustomerIdentifiers.IsValidIdNumber(id), Is.True);

    [TestCase("110105194912310021", TestName = "Wrong check digit")]
    [TestCase("110105194902300020", TestName = "February 30th")]
    [TestCase("1101051949123100AX", TestName = "Letters in the body")]
    [TestCase("11010519491231002", TestName = "17 characters")]
    public void Invalid_resident_id_numbers_fail(string id) => Assert.That(CustomerIdentifiers.IsValidIdNumber(id), Is.False);
}

internal sealed class CustomerSearchTests
{
    [Test]
    public void Name_bigrams_cover_every_adjacent_pair_of_both_names_once_lower_cased()
    {
        Assert.That(CustomerSearch.NameBigrams("华为技术 HW", "华为"), Is.EqualTo(new[] { "华为", "为技", "技术", "hw" }));
    }

    [Test]
    public void Name_bigrams_keep_supplementary_plane_characters_whole()
    {
        Assert.That(CustomerSearch.NameBigrams("𠀀测", null), Is.EqualTo(new[] { "𠀀测" }));
    }

    [TestCase("华为", "华为")]
    [TestCase("  Hua  Wei ", "hua wei")]
    [TestCase("138-0013 8000", "13800138000")]
    [TestCase("+86 755", "86755")]
    [TestCase("𠀀测", "𠀀测")]
    public void Queries_are_normalized(string q, string term) => Assert.That(CustomerSearch.Parse(q).Term, Is.EqualTo(term));

    [TestCase("华")]
    [TestCase("ab")]
    [TestCase("12")]
    [TestCase("   ")]
    public void Queries_below_the_minimum_are_refused(string q) => Assert.That(CustomerSearch.Parse(q).Error, Is.Not.Null);

    [Test]
    public void Search_text_holds_names_phone_digits_and_lower_cased_emails()
    {
        Assert.That(
            CustomerSearch.SearchText("华为 Tech", "华为", "ERP-1", ["+86 755-1234"], ["a@b.cn"]),
            Is.EqualTo("华为 tech 华为 erp-1 867551234 a@b.cn"));
    }
}
