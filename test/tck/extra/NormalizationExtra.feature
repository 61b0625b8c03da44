Feature: NormalizationExtra - normalize() normal-form keywords and IS [NOT] [form] NORMALIZED (Neo4j 5)

  Scenario: [1] normalize() with a bare normal-form keyword
    Given any graph
    When executing query:
      """
      RETURN normalize('\u212B', NFKC) = '\u00C5' AS a, normalize('\u00C5', NFD) = 'A\u030A' AS b
      """
    Then the result should be, in any order:
      | a    | b    |
      | true | true |
    And no side effects

  Scenario: [2] IS [NOT] [form] NORMALIZED
    Given any graph
    When executing query:
      """
      RETURN '\u00C5' IS NORMALIZED AS a, 'A\u030A' IS NORMALIZED AS b, 'A\u030A' IS NFD NORMALIZED AS c,
             'A\u030A' IS NOT NFC NORMALIZED AS d, null IS NORMALIZED AS e
      """
    Then the result should be, in any order:
      | a    | b     | c    | d    | e    |
      | true | false | true | true | null |
    And no side effects
