Feature: TrimExtra - GQL trim syntax and two-argument ltrim/rtrim (Neo4j 5.20)

  Scenario: [1] trim with a trim specification and trim characters
    Given any graph
    When executing query:
      """
      RETURN trim(BOTH 'x' FROM 'xxaxx') AS a, trim(LEADING 'x' FROM 'xxaxx') AS b,
             trim(TRAILING FROM '  a  ') AS c, trim('x' FROM 'xax') AS d, trim('  a  ') AS e,
             trim(LEADING null FROM 'x') AS f
      """
    Then the result should be, in any order:
      | a   | b     | c     | d   | e   | f    |
      | 'a' | 'axx' | '  a' | 'a' | 'a' | null |
    And no side effects

  Scenario: [2] ltrim and rtrim with trim characters
    Given any graph
    When executing query:
      """
      RETURN ltrim('xxaxx', 'x') AS a, rtrim('xxaxx', 'x') AS b, btrim('xxaxx', 'x') AS c
      """
    Then the result should be, in any order:
      | a     | b     | c   |
      | 'axx' | 'xxa' | 'a' |
    And no side effects
