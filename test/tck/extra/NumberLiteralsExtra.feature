Feature: NumberLiteralsExtra - Neo4j 5 numeric literal forms

  Scenario: [1] Underscores between digits
    Given any graph
    When executing query:
      """
      RETURN 1_000_000 AS a, 0x_FC3A9 AS b, 0o_1372 AS c, 1_0.5_5 AS d, 0xFF_FF AS e, -1_000 AS f
      """
    Then the result should be, in any order:
      | a       | b       | c   | d     | e     | f     |
      | 1000000 | 1033129 | 762 | 10.55 | 65535 | -1000 |
    And no side effects

  Scenario: [2] A trailing underscore is not part of a number
    Given any graph
    When executing query:
      """
      RETURN 1_ AS a
      """
    Then a SyntaxError should be raised at compile time: UnexpectedSyntax

  Scenario: [3] Literals for the special float values
    Given any graph
    When executing query:
      """
      RETURN Inf > 1.0e308 AS a, -Infinity < -1.0e308 AS b, NaN = NaN AS c, toString(Infinity) AS d,
             isNaN(NaN) AS e
      """
    Then the result should be, in any order:
      | a    | b    | c     | d          | e    |
      | true | true | false | 'Infinity' | true |
    And no side effects
